/**
 * Faults the simulator can inject, each a rule that applies to the next `count` matching requests
 * (all of them when count is absent), optionally only with a given probability and only for one
 * operation.
 */
export type AckFaultMode = 'drop' | 'duplicate' | 'late' | 'error' | 'malformed' | 'incomplete';

export type FaultRule =
  /** Answer REST requests after a delay. */
  | { kind: 'latency'; ms: number; count?: number; probability?: number; operation?: string }
  /** Answer an operation with this statusCode (and HTTP status, 400 by default, 503 for statusCode 4). */
  | { kind: 'status'; statusCode: number; httpStatus?: number; statusMessage?: string; count?: number; probability?: number; operation?: string }
  /** Close the connection of an operation request without answering. */
  | { kind: 'reset'; count?: number; probability?: number; operation?: string }
  /** Change what follows an accepted operation on CometD. */
  | { kind: 'ack'; mode: AckFaultMode; lateMs?: number; errorMessage?: string; count?: number; probability?: number; operation?: string }
  /** Lose the next long-poll answer that carries notifications (the connection drops as it is written). */
  | { kind: 'loseLongPoll'; count?: number; probability?: number; operation?: string }
  /** Send the DeviceUserEventMessage late, or not at all. */
  | { kind: 'userEvent'; mode: 'drop' | 'delay'; delayMs?: number; count?: number; probability?: number; operation?: string };

export type FaultKind = FaultRule['kind'];

export class FaultSet {
  #rules: FaultRule[] = [];

  add(rules: FaultRule | FaultRule[]): void {
    for (const rule of Array.isArray(rules) ? rules : [rules]) {
      if (!rule || typeof rule !== 'object' || typeof rule.kind !== 'string') throw new TypeError('a fault rule needs a kind');
      this.#rules.push({ ...rule });
    }
  }

  clear(): void {
    this.#rules = [];
  }

  list(): FaultRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  /** The first rule of this kind that applies to this operation now; consumes one of its count. */
  take<K extends FaultKind>(kind: K, operation?: string): Extract<FaultRule, { kind: K }> | undefined {
    for (let i = 0; i < this.#rules.length; i++) {
      const rule = this.#rules[i];
      if (rule.kind !== kind) continue;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      if (rule.count !== undefined) {
        rule.count -= 1;
        if (rule.count <= 0) this.#rules.splice(i, 1);
      }
      return rule as Extract<FaultRule, { kind: K }>;
    }
    return undefined;
  }
}
