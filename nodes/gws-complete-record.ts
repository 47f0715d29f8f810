/** gws-complete-record: sends CompleteRecord and answers with the correlated RecordProcessedAcknowledge. */
import { actionNode } from './lib/action-node.js';

export = actionNode('gws-complete-record');
