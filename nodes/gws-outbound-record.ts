/**
 * gws-outbound-record ("record operation"): any record operation of the Outbound API — RejectRecord,
 * RescheduleRecord, DoNotCallRecord, UpdateRecord, AddRecord, CompleteRecord, GetChainedRecord — chosen
 * on the node or by msg.operation, answered with its correlated acknowledgement.
 */
import { actionNode } from './lib/action-node.js';

export = actionNode('gws-outbound-record');
