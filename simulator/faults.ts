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

const ACK_MODES = ['drop', 'duplicate', 'late', 'error', 'malformed', 'incomplete'];

function checkRule(rule: FaultRule): void {
  if (!rule || typeof rule !== 'object') throw new TypeError('a fault rule must be an object');
  const number = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (rule.count !== undefined && !(number(rule.count) && rule.count >= 1)) throw new TypeError('count must be a number of at least 1');
  if (rule.probability !== undefined && !(number(rule.probability) && rule.probability <= 1)) throw new TypeError('probability must be between 0 and 1');
  switch (rule.kind) {
    case 'latency':
      if (!number(rule.ms)) throw new TypeError('a latency rule needs ms');
      return;
    case 'status':
      if (!Number.isInteger(rule.statusCode)) throw new TypeError('a status rule needs an integer statusCode');
      return;
    case 'reset':
    case 'loseLongPoll':
      return;
    case 'ack':
      if (!ACK_MODES.includes(rule.mode)) throw new TypeError(`an ack rule needs a mode: ${ACK_MODES.join(', ')}`);
      return;
    case 'userEvent':
      if (rule.mode !== 'drop' && rule.mode !== 'delay') throw new TypeError('a userEvent rule needs a mode: drop or delay');
      return;
    default:
      throw new TypeError(`unknown fault kind ${JSON.stringify((rule as { kind?: unknown }).kind)}: latency, status, reset, ack, userEvent or loseLongPoll`);
  }
}

export class FaultSet {
  #rules: FaultRule[] = [];

  /** Adds rules after checking all of them: a rule with an unknown kind or a missing field is refused. */
  add(rules: FaultRule | FaultRule[]): void {
    const list = Array.isArray(rules) ? rules : [rules];
    for (const rule of list) checkRule(rule);
    for (const rule of list) this.#rules.push({ ...rule });
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
