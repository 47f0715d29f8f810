/** gws-get-chained-record: sends GetChainedRecord and answers with the chain once ChainedRecordsDataEnd arrived. */
import { actionNode } from './lib/action-node.js';

export = actionNode('gws-get-chained-record', 'GetChainedRecord');
