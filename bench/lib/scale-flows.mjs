// The flows of the scale run: N agents on one tab, each agent = one gws-server config node with its own
// GWS user (agent0001 …), one gws-outbound-event node and one gws-complete-record node using it. The
// event nodes' output is not wired (the notifications are handed out and dropped); the complete record
// nodes get their messages from the probe (node.receive) and end them with done().
import { DEVICE } from './flows.mjs';

export const TAB = 'scale-tab';
export const PREFIX = { server: 'scale-s-', event: 'scale-ev-', complete: 'scale-cr-' };

export const agentName = (index) => `agent${String(index).padStart(4, '0')}`;
const idOf = (prefix, index) => `${prefix}${String(index).padStart(4, '0')}`;
export const completeId = (index) => idOf(PREFIX.complete, index);

/** The tab alone: what Node-RED runs before the deploy (the baseline of the memory figures). */
export function emptyFlows() {
  return [{ id: TAB, type: 'tab', label: 'scale' }];
}

/** Flows and credentials of `n` agents, as POST /flows (API v2) takes them. */
export function scaleFlows({ n, simUrl, maxSockets }) {
  const flows = emptyFlows();
  const credentials = {};
  for (let a = 1; a <= n; a++) {
    const server = idOf(PREFIX.server, a);
    flows.push(
      {
        id: server, type: 'gws-server', name: agentName(a), baseUrl: simUrl, useSimulator: false,
        devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', ackTimeout: '10000', callResultFormat: 'name',
        ...(maxSockets === undefined ? {} : { maxSockets: String(maxSockets) }),
      },
      {
        id: idOf(PREFIX.event, a), z: TAB, type: 'gws-outbound-event', name: '', server, channel: '/v2/me/outbound',
        notificationTypes: '', correlated: 'all', x: 200, y: 40 + a * 40, wires: [[]],
      },
      { id: completeId(a), z: TAB, type: 'gws-complete-record', name: '', server, waitForAck: true, x: 450, y: 40 + a * 40, wires: [[]] },
    );
    credentials[server] = { username: agentName(a), password: agentName(a) };
  }
  return { flows, credentials };
}
