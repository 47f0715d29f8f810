/** What an accepted operation sends on CometD, and what it changes in the simulated OCS. */
import type { Planned, Subject } from './notifications.js';

export interface OperationPlan {
  subject: Subject;
  /** Messages before the answer (the chained records of GetChainedRecord). */
  before: Planned[];
  /** The answer on `/v2/me/outbound`, matched to the request by referenceId. */
  answer: Planned;
  /** The DeviceUserEventMessage that follows the answer on `/me/internal`, for operations on a record. */
  userEvent?: Planned;
  /**
   * The effect of the request (a record handed out, a session started or ended, a record's calling
   * list learnt); not applied when OCS refuses the request.
   */
  commit(): void;
  /** When the request arrived, for the metrics of the notifications. */
  startedNs: bigint;
}
