/**
 * Faults the simulator can inject, each a rule that applies to the next `count` matching requests
 * (all of them when count is absent), optionally only with a given probability and only for one
 * operation.
 */
export type AckFaultMode = 'drop' | 'duplicate' | 'late' | 'error' | 'malformed' | 'incomplete' | 'userEventError';

export type FaultRule =
  /** Answer REST requests after a delay. */
  | { kind: 'latency'; ms: number; count?: number; probability?: number; operation?: string }
  /** Answer an operation with this statusCode (and HTTP status, 400 by default, 503 for statusCode 4). */
  | { kind: 'status'; statusCode: number; httpStatus?: number; statusMessage?: string; count?: number; probability?: number; operation?: string }
  /** Close the connection of an operation request without answering. */
  | { kind: 'reset'; count?: number; probability?: number; operation?: string }
  /**
   * Change what follows an accepted operation on CometD. `error` and `userEventError` are refusals by
   * OCS (an error notification; a user event with GSW_ERROR and GSW_ERROR_NUMBER): the request has no
   * effect then. The other modes garble, repeat or lose what a request that took effect sends.
   */
  | { kind: 'ack'; mode: AckFaultMode; lateMs?: number; errorMessage?: string; errorNumber?: number; count?: number; probability?: number; operation?: string }
  /** Lose the next long-poll answer that carries notifications (the connection drops as it is written). */
  | { kind: 'loseLongPoll'; count?: number; probability?: number; operation?: string }
  /** Send the DeviceUserEventMessage late, or not at all. */
  | { kind: 'userEvent'; mode: 'drop' | 'delay'; delayMs?: number; count?: number; probability?: number; operation?: string };

export type FaultKind = FaultRule['kind'];

const ACK_MODES = ['drop', 'duplicate', 'late', 'error', 'malformed', 'incomplete', 'userEventError'];

/** The fields each kind takes besides kind, count, probability and operation. */
const FIELDS: Record<FaultKind, string[]> = {
  latency: ['ms'],
  status: ['statusCode', 'httpStatus', 'statusMessage'],
  reset: [],
  ack: ['mode', 'lateMs', 'errorMessage', 'errorNumber'],
  loseLongPoll: [],
  userEvent: ['mode', 'delayMs'],
};

/**
 * Checks a rule and returns a copy with only the fields of its kind, so a rule stored (and listed by
 * GET /sim/faults) holds nothing but what was checked.
 */
function checkRule(rule: FaultRule): FaultRule {
  if (!rule || typeof rule !== 'object' || Array.isArray(rule)) throw new TypeError('a fault rule must be an object');
  const number = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  const text = (value: unknown) => value === undefined || typeof value === 'string';
  if (rule.count !== undefined && !(number(rule.count) && rule.count >= 1)) throw new TypeError('count must be a number of at least 1');
  if (rule.probability !== undefined && !(number(rule.probability) && rule.probability <= 1)) throw new TypeError('probability must be between 0 and 1');
  if (!text(rule.operation)) throw new TypeError('operation must be an operation name');
  switch (rule.kind) {
    case 'latency':
      if (!number(rule.ms)) throw new TypeError('a latency rule needs ms');
      break;
    case 'status':
      if (!Number.isInteger(rule.statusCode)) throw new TypeError('a status rule needs an integer statusCode');
      if (rule.httpStatus !== undefined && !(Number.isInteger(rule.httpStatus) && rule.httpStatus >= 200 && rule.httpStatus <= 599)) {
        throw new TypeError('httpStatus must be an HTTP status from 200 to 599');
      }
      if (!text(rule.statusMessage)) throw new TypeError('statusMessage must be text');
      break;
    case 'reset':
    case 'loseLongPoll':
      break;
    case 'ack':
      if (!ACK_MODES.includes(rule.mode)) throw new TypeError(`an ack rule needs a mode: ${ACK_MODES.join(', ')}`);
      if (rule.lateMs !== undefined && !number(rule.lateMs)) throw new TypeError('lateMs must be a number of ms');
      if (!text(rule.errorMessage)) throw new TypeError('errorMessage must be text');
      if (rule.errorNumber !== undefined && !Number.isInteger(rule.errorNumber)) throw new TypeError('errorNumber must be an integer');
      break;
    case 'userEvent':
      if (rule.mode !== 'drop' && rule.mode !== 'delay') throw new TypeError('a userEvent rule needs a mode: drop or delay');
      if (rule.delayMs !== undefined && !number(rule.delayMs)) throw new TypeError('delayMs must be a number of ms');
      break;
    default:
      throw new TypeError(`unknown fault kind ${JSON.stringify((rule as { kind?: unknown }).kind)}: latency, status, reset, ack, userEvent or loseLongPoll`);
  }
  const keep = ['kind', 'count', 'probability', 'operation', ...FIELDS[rule.kind]];
  const given = rule as unknown as Record<string, unknown>;
  return Object.fromEntries(keep.filter((key) => given[key] !== undefined).map((key) => [key, given[key]])) as unknown as FaultRule;
}

export class FaultSet {
  #rules: FaultRule[] = [];

  /** Adds rules after checking all of them: a rule with an unknown kind or a missing field is refused. */
  add(rules: FaultRule | FaultRule[]): void {
    const list = (Array.isArray(rules) ? rules : [rules]).map(checkRule);
    this.#rules.push(...list);
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
