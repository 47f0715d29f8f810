/** gws-get-chained-record: sends GetChainedRecord and answers with the whole chain once ChainedRecordsDataEnd arrived. */
import { actionNode } from './lib/action-node.js';

export = actionNode('gws-get-chained-record');
