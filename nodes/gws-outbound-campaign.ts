/**
 * gws-outbound-campaign ("preview session"): preview dialing on a campaign — StartPreviewSession,
 * GetPreviewRecord, EndPreviewSession — chosen on the node or by msg.operation.
 */
import { actionNode } from './lib/action-node.js';

export = actionNode('gws-outbound-campaign');
