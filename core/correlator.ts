/**
 * Matches CometD notifications to the requests that caused them, by referenceId and, where both the
 * request and the answer carry one, the record handle (rule 13: another server node of the same user
 * may use the same referenceId for another record).
 *
 * - A pending request has its own timer; it resolves on the expected acknowledgement (or, for a chain,
 *   on ChainedRecordsDataEnd after collecting every correlated record before it), and fails on a
 *   correlated error notification, on a DeviceUserEventMessage that reports GSW_ERROR for its record
 *   and answer type, or at its timeout.
 * - The DeviceUserEventMessage of the answer (on /me/internal, without referenceId) is joined by record
 *   handle + user event when it arrives in the same long-poll answer or within `userEventWaitMs` after.
 * - Answers for requests no longer pending are counted (late or duplicate) and otherwise ignored.
 * - At least the last `memorySize` requests (at most twice as many) are remembered so that
 *   notifications can be tagged with their request: two generations of Maps, the older one dropped
 *   whole when the newer one is full. Every lookup is a Map access; nothing grows without bound.
 */
import { GwsError } from './errors.js';
import {
  isUserEvent,
  joinKey,
  notificationError,
  recordHandleOf,
  referenceIdOf,
  sameHandle,
  userEventError,
  userEventKey,
} from './notifications.js';
import { answerName, type Expectation } from './operation-table.js';
import type { DeviceUserEventMessage, Notification, OperationBody, OperationName, OutboundRecord, OutboundRecordMessage } from './wire-types.js';

export type { Expectation } from './operation-table.js';

export interface CorrelationInfo {
  referenceId: string;
  operationName: OperationName;
  /** Absent for operations that address no record (AddRecord, the preview-session operations). */
  recordHandle?: string | number;
  /** The campaign of a campaign operation (its path), to relate error user events to it. */
  campaignName?: string;
  nodeId?: string;
  request: OperationBody;
}

export interface CorrelatedAnswer {
  /** Data of the acknowledgement, or of ChainedRecordsDataEnd for a chain. */
  data: OutboundRecordMessage;
  /** For a chain: the `record` of every correlated message before the end, in arrival order. */
  records?: OutboundRecord[];
  userEvent?: DeviceUserEventMessage;
}

export interface CorrelatorOptions {
  userEventWaitMs?: number;
  memorySize?: number;
}

export interface CorrelatorStats {
  answered: number;
  failed: number;
  timedOut: number;
  /** Answers that arrived after their request had timed out or was given up. */
  late: number;
  /** Second and further answers to a request that was already answered. */
  duplicate: number;
  /** Answers with the referenceId of a waiting request but another record handle (ignored). */
  foreign: number;
}

type Outcome = 'pending' | 'answered' | 'failed' | 'timedOut' | 'released';

interface Remembered {
  info: CorrelationInfo;
  outcome: Outcome;
  /** For a chain: the type that ends it (its records name other records, so they match by referenceId only). */
  chainEnd?: string;
}

interface Pending {
  info: CorrelationInfo;
  expect: Expectation;
  timeoutMs: number;
  resolve(answer: CorrelatedAnswer): void;
  reject(error: GwsError): void;
  timer?: NodeJS.Timeout;
  records: OutboundRecord[];
  /** Set once the expected message arrived; the answer then waits for its user event. */
  answer?: CorrelatedAnswer;
  answerBatch?: number;
  joinKey?: string;
  joinTimer?: NodeJS.Timeout;
  /** Settles the answer once the current long-poll answer has been handed out completely. */
  settling?: NodeJS.Immediate;
}

export class Correlator {
  readonly stats: CorrelatorStats = { answered: 0, failed: 0, timedOut: 0, late: 0, duplicate: 0, foreign: 0 };
  readonly #pending = new Map<string, Pending>();
  /** Requests remembered, newest generation first. */
  #memory = new Map<string, Remembered>();
  #previous = new Map<string, Remembered>();
  /** Answers waiting for their user event, by join key. */
  readonly #joining = new Map<string, Pending[]>();
  /** User events of the current long-poll answer not yet claimed (an answer later in the batch may claim them). */
  #unclaimed = new Map<string, DeviceUserEventMessage[]>();
  /** Answers of the current long-poll answer still waiting for their user event. */
  #batchAnswers: Pending[] = [];
  readonly #userEventWaitMs: number;
  readonly #memorySize: number;

  constructor(options: CorrelatorOptions = {}) {
    this.#userEventWaitMs = options.userEventWaitMs ?? 200;
    this.#memorySize = options.memorySize ?? 10000;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  isPending(referenceId: string): boolean {
    return this.#pending.has(referenceId);
  }

  /**
   * Waits for the answer to a request. The caller checks isPending() first: a referenceId can wait
   * only once at a time. The timer starts now.
   */
  expect(info: CorrelationInfo, expect: Expectation, timeoutMs: number): Promise<CorrelatedAnswer> {
    return new Promise<CorrelatedAnswer>((resolve, reject) => {
      const pending: Pending = { info, expect, timeoutMs, resolve, reject, records: [] };
      pending.timer = setTimeout(() => this.#timeout(pending), timeoutMs);
      this.#pending.set(info.referenceId, pending);
      this.remember(info, 'pending');
    });
  }

  /** Records a request for tagging (fire-and-forget requests, which nobody waits for). */
  remember(info: CorrelationInfo, outcome: Outcome = 'released'): void {
    // Dropping a whole generation costs nothing per request (evicting the oldest key of one big Map does:
    // V8 walks over the holes that deletions leave at its start).
    if (this.#memory.size >= this.#memorySize) {
      this.#previous = this.#memory;
      this.#memory = new Map();
    }
    this.#previous.delete(info.referenceId);
    this.#memory.set(info.referenceId, { info, outcome });
  }

  #recall(referenceId: string): Remembered | undefined {
    return this.#memory.get(referenceId) ?? this.#previous.get(referenceId);
  }

  /** The request a referenceId belongs to, if it is one of the last `memorySize` requests (or a few more). */
  lookup(referenceId: string): CorrelationInfo | undefined {
    return this.#recall(referenceId)?.info;
  }

  /** Stops waiting for a request and fails it with the given error. */
  fail(referenceId: string, error: GwsError, outcome: Outcome = 'failed'): void {
    const pending = this.#pending.get(referenceId);
    if (pending === undefined) return;
    this.#finish(pending, outcome);
    pending.reject(error);
  }

  /** Fails every pending request (the connection closes). */
  failAll(makeError: (info: CorrelationInfo) => GwsError): void {
    for (const pending of [...this.#pending.values()]) {
      this.#finish(pending, 'failed');
      pending.reject(makeError(pending.info));
    }
  }

  /** Feeds one notification; returns the request it answers, if it answers one of ours. */
  handle(notification: Notification): CorrelationInfo | undefined {
    const data = notification.data;
    if (isUserEvent(data)) {
      this.#onUserEvent(data);
      return undefined;
    }
    const referenceId = referenceIdOf(data);
    if (referenceId === undefined) return undefined;
    const pending = this.#pending.get(referenceId);
    if (pending === undefined) {
      const remembered = this.#recall(referenceId);
      if (remembered === undefined) return undefined;
      const lateChainMember = remembered.chainEnd !== undefined && data.notificationType !== remembered.chainEnd && notificationError(data) === undefined;
      if (!lateChainMember && !answersRecord(remembered.info, data)) return undefined;
      if (remembered.outcome === 'answered') this.stats.duplicate++;
      else if (remembered.outcome !== 'pending') this.stats.late++;
      return remembered.info;
    }
    // A chained record carries the handle of another record of the chain; every other message must
    // name the request's own record (when it names one) to count.
    const chainMember = pending.expect.kind === 'chain' && data.notificationType !== pending.expect.end && notificationError(data) === undefined;
    if (!chainMember && !answersRecord(pending.info, data)) {
      this.stats.foreign++;
      return undefined;
    }
    if (pending.answer !== undefined) {
      // Already answered, waiting for its user event: a repeated answer is a duplicate.
      this.stats.duplicate++;
      return pending.info;
    }
    this.#onAnswer(pending, data as OutboundRecordMessage, notification.batch);
    return pending.info;
  }

  /** Called when a long-poll answer has been handed out completely. */
  batchEnd(batch: number): void {
    if (this.#unclaimed.size > 0) this.#unclaimed = new Map();
    const answers = this.#batchAnswers;
    if (answers.length === 0) return;
    this.#batchAnswers = [];
    for (const pending of answers) {
      // Still without its user event at the end of its batch: give it userEventWaitMs more.
      if (pending.answerBatch === batch && pending.joinKey !== undefined && pending.joinTimer === undefined) {
        pending.joinTimer = setTimeout(() => this.#complete(pending), this.#userEventWaitMs);
      }
    }
  }

  #onAnswer(pending: Pending, data: OutboundRecordMessage, batch: number): void {
    const type = data.notificationType;
    const expect = pending.expect;
    if (!isExpected(expect, type)) {
      const failure = notificationError(data);
      if (failure !== undefined) {
        this.#failWith(pending, typeof type === 'string' && type !== '' ? type : 'an error', failure.detail);
        return;
      }
      // Before the end of a chain, every correlated message is one chained record.
      if (expect.kind === 'chain') {
        pending.records.push(isRecord(data.record) ? data.record : {});
      }
      // Anything else waits for the expected message or the timeout.
      return;
    }
    const info = pending.info;
    if (expect.kind === 'ack' && expect.record === true && recordHandleOf(data) === undefined) {
      // A PreviewRecord without a record: the calling list had nothing to hand out.
      this.#finish(pending, 'failed');
      pending.reject(new GwsError('emptyPreviewRecord', {
        operation: info.operationName,
        campaign: info.campaignName ?? '-',
        referenceId: info.referenceId,
      }, { referenceId: info.referenceId, statusCode: 0, reason: 'empty' }));
      return;
    }
    // The answer is here: the request can no longer time out.
    clearTimeout(pending.timer);
    pending.timer = undefined;
    pending.answer = expect.kind === 'chain' ? { data, records: pending.records } : { data };
    pending.answerBatch = batch;
    const handle = recordHandleOf(data) ?? info.recordHandle;
    if (handle === undefined) {
      // No record to relate a user event to (a preview session started or ended).
      this.#settleSoon(pending);
      return;
    }
    const key = joinKey(handle, String(type));
    const earlier = this.#unclaimed.get(key);
    if (earlier !== undefined && earlier.length > 0) {
      pending.answer.userEvent = earlier.shift();
      if (earlier.length === 0) this.#unclaimed.delete(key);
      this.#settleSoon(pending);
      return;
    }
    pending.joinKey = key;
    const waiting = this.#joining.get(key);
    if (waiting === undefined) this.#joining.set(key, [pending]);
    else waiting.push(pending);
    this.#batchAnswers.push(pending);
  }

  #onUserEvent(data: DeviceUserEventMessage): void {
    const error = userEventError(data);
    if (error !== undefined) {
      const pending = this.#waitingFor(error.event, error.recordHandle, error.campaignName);
      if (pending !== undefined) {
        const info = pending.info;
        this.#finish(pending, 'failed');
        pending.reject(new GwsError('userEventError', {
          operation: info.operationName,
          expected: answerName(pending.expect),
          referenceId: info.referenceId,
          detail: error.detail,
        }, { referenceId: info.referenceId, statusCode: 0, reason: 'rejected' }));
        return;
      }
    }
    const key = userEventKey(data);
    if (key === undefined) return;
    const waiting = this.#joining.get(key);
    if (waiting !== undefined && waiting.length > 0) {
      const pending = waiting.shift() as Pending;
      if (waiting.length === 0) this.#joining.delete(key);
      pending.joinKey = undefined;
      (pending.answer as CorrelatedAnswer).userEvent = data;
      clearTimeout(pending.joinTimer);
      pending.joinTimer = undefined;
      this.#settleSoon(pending);
      return;
    }
    const unclaimed = this.#unclaimed.get(key);
    if (unclaimed === undefined) this.#unclaimed.set(key, [data]);
    else if (unclaimed.length < 100) unclaimed.push(data);
  }

  /**
   * Settles after the notifications of the current long-poll answer have all been handed out (they are
   * handed out synchronously, so the next turn of the event loop is after them), keeping arrival order
   * for whoever listens to the notifications too.
   */
  #settleSoon(pending: Pending): void {
    pending.settling ??= setImmediate(() => this.#complete(pending));
  }

  #complete(pending: Pending): void {
    if (this.#pending.get(pending.info.referenceId) !== pending) return;
    const answer = pending.answer as CorrelatedAnswer;
    this.#finish(pending, 'answered');
    pending.resolve(answer);
  }

  /**
   * The one request still without its answer that a user event of type `event` reports on: same
   * answer type and, where the request names one, the same record handle; a request without a record
   * (campaign operations, AddRecord) only by an event that names no record, and by its campaign. The
   * event carries no referenceId: when two waiting requests fit it, it cannot tell which one OCS
   * refused, and none is failed (the refused one ends at its timeout, the other with its answer).
   */
  #waitingFor(event: string, recordHandle: string | number | undefined, campaignName: string | undefined): Pending | undefined {
    let found: Pending | undefined;
    for (const pending of this.#pending.values()) {
      if (pending.answer !== undefined || !isExpected(pending.expect, event)) continue;
      const info = pending.info;
      if (info.recordHandle !== undefined) {
        if (recordHandle === undefined || !sameHandle(info.recordHandle, recordHandle)) continue;
      } else {
        // An event about a record is about a request that names it (AddRecord's answer type is only
        // known by its ending, which every record acknowledgement shares).
        if (recordHandle !== undefined) continue;
        const campaign = info.campaignName ?? info.request.campaignName;
        if (campaignName !== undefined && campaign !== undefined && campaign !== campaignName) continue;
      }
      if (found !== undefined) return undefined;
      found = pending;
    }
    return found;
  }

  #failWith(pending: Pending, notificationType: string, detail: string): void {
    const info = pending.info;
    this.#finish(pending, 'failed');
    pending.reject(new GwsError('errorNotification', {
      operation: info.operationName,
      notificationType,
      referenceId: info.referenceId,
      detail,
    }, { referenceId: info.referenceId, statusCode: 0, reason: 'rejected' }));
  }

  #timeout(pending: Pending): void {
    const info = pending.info;
    const expected = answerName(pending.expect);
    this.#finish(pending, 'timedOut');
    pending.reject(new GwsError('timeout', {
      operation: info.operationName,
      expected,
      timeout: pending.timeoutMs,
      referenceId: info.referenceId,
    }, { referenceId: info.referenceId, statusCode: 0, reason: 'timeout' }));
  }

  #finish(pending: Pending, outcome: Outcome): void {
    clearTimeout(pending.timer);
    clearTimeout(pending.joinTimer);
    if (pending.settling !== undefined) clearImmediate(pending.settling);
    pending.timer = undefined;
    pending.joinTimer = undefined;
    pending.settling = undefined;
    if (pending.joinKey !== undefined) {
      const waiting = this.#joining.get(pending.joinKey);
      if (waiting !== undefined) {
        const index = waiting.indexOf(pending);
        if (index >= 0) waiting.splice(index, 1);
        if (waiting.length === 0) this.#joining.delete(pending.joinKey);
      }
      pending.joinKey = undefined;
    }
    const referenceId = pending.info.referenceId;
    if (this.#pending.get(referenceId) === pending) this.#pending.delete(referenceId);
    const remembered = this.#recall(referenceId);
    if (remembered !== undefined && remembered.info === pending.info) {
      remembered.outcome = outcome;
      if (pending.expect.kind === 'chain') remembered.chainEnd = pending.expect.end;
    }
    if (outcome === 'answered') this.stats.answered++;
    else if (outcome === 'timedOut') this.stats.timedOut++;
    else if (outcome === 'failed') this.stats.failed++;
  }
}

/** Whether a notification of this type is the answer the request waits for. */
function isExpected(expect: Expectation, type: unknown): boolean {
  if (typeof type !== 'string') return false;
  switch (expect.kind) {
    case 'ack':
      return type === expect.type;
    case 'ackSuffix':
      return type.endsWith(expect.suffix);
    case 'chain':
      return type === expect.end;
  }
}

/** Rule 13: where both the request and the answer name a record handle, they must be the same. */
function answersRecord(info: CorrelationInfo, data: Record<string, unknown>): boolean {
  if (info.recordHandle === undefined) return true;
  const handle = recordHandleOf(data);
  return handle === undefined || sameHandle(handle, info.recordHandle);
}

function isRecord(value: unknown): value is OutboundRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
