/**
 * gws-outbound-event: streams the server's CometD notifications into the flow, in arrival order, each
 * tagged with the request it answers when a node of the same server node sent that request.
 */
import type { Node, NodeAPI } from 'node-red';
import type { ConnectionState, TaggedNotification } from '../core/connection.js';
import { isUserEvent } from '../core/notifications.js';
import { CHANNEL_SETTINGS, CORRELATED_SETTINGS, channelsOf, topicOf, typesOf } from './lib/event-filter.js';
import { qualified, shared, translator } from './lib/i18n.js';
import { connectionStatus, failureStatus } from './lib/status.js';
import type { CorrelatedFilter, EventNodeDef, EventOutputMessage, GwsServerNode, ServerUser } from './lib/types.js';

export = function register(RED: NodeAPI): void {
  const t = translator(RED);

  function OutboundEvent(this: Node, def: EventNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = (def.server ? RED.nodes.getNode(def.server) : null) as GwsServerNode | null;
    const channels = channelsOf(def.channel);
    const types = typesOf(def.notificationTypes);
    const correlated: CorrelatedFilter = def.correlated === 'only' || def.correlated === 'none' ? def.correlated : 'all';
    // Settings made outside the editor (Admin API, hand-edited flows) may hold anything: say what is used.
    if (!CHANNEL_SETTINGS.includes(String(def.channel ?? ''))) node.warn(t(qualified('gws-outbound-event', 'gws-outbound-event.warnings.badChannel'), { value: JSON.stringify(def.channel) }));
    if (!CORRELATED_SETTINGS.includes(String(def.correlated ?? ''))) node.warn(t(qualified('gws-outbound-event', 'gws-outbound-event.warnings.badCorrelated'), { value: JSON.stringify(def.correlated) }));

    const user: ServerUser = {
      id: node.id,
      connectionChanged(state: ConnectionState) {
        node.status(connectionStatus(state));
      },
      notification: (notification) => deliver(notification),
    };

    const deliver = (notification: TaggedNotification) => {
      if (!channels.has(notification.channel)) return;
      const data = notification.data;
      const topic = topicOf(data);
      if (types && !types.has(topic) && !(isUserEvent(data) && types.has(String(data.userData?.GSW_USER_EVENT)))) return;
      // Rule 8: a DeviceUserEventMessage is never tagged.
      const correlation = isUserEvent(data) ? undefined : notification.correlation;
      if (correlated === 'only' && correlation === undefined) return;
      if (correlated === 'none' && correlation !== undefined) return;
      const msg: EventOutputMessage = { payload: data, topic, channel: notification.channel };
      if (correlation) {
        // The contract's five fields (the correlator keeps more for its own matching).
        const { referenceId, operationName, recordHandle, nodeId, request } = correlation;
        msg.gws = { correlation: { referenceId, operationName, recordHandle, nodeId, request } };
      }
      node.send(msg);
    };

    if (server) {
      server.register(user);
    } else {
      node.status(failureStatus('noServer'));
      node.error(t(shared('errors.noServer')));
    }

    node.on('close', (removed: boolean, done: () => void) => {
      const finished = server ? server.deregister(user, removed) : Promise.resolve();
      finished
        .catch((error: unknown) => node.debug(`deregister: ${(error as Error).message}`))
        .finally(() => done());
    });
  }

  RED.nodes.registerType('gws-outbound-event', OutboundEvent as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
