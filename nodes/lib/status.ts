/**
 * One table from state to status, used by every node. Texts are keys of the gws-server catalog (the
 * editor translates them per user); `waiting (n)` carries a number and is rendered at runtime.
 */
import type { NodeStatus } from 'node-red';
import type { ConnectionState } from '../../core/connection.js';
import type { FailureReason } from '../../core/errors.js';
import { shared, type Translate } from './i18n.js';

const CONNECTION: Record<ConnectionState['status'], NodeStatus> = {
  disconnected: { fill: 'grey', shape: 'ring', text: shared('status.disconnected') },
  connecting: { fill: 'yellow', shape: 'ring', text: shared('status.connecting') },
  connected: { fill: 'green', shape: 'dot', text: shared('status.connected') },
  failed: { fill: 'red', shape: 'ring', text: shared('status.unreachable') },
};

export function failureStatus(reason: FailureReason | 'noServer'): NodeStatus {
  // A calling list with nothing to preview is no fault of the node, the server or the flow.
  if (reason === 'empty') return { fill: 'yellow', shape: 'ring', text: shared('status.empty') };
  return { fill: 'red', shape: 'ring', text: shared(`status.${reason}`) };
}

export function connectionStatus(state: ConnectionState): NodeStatus {
  if (state.status === 'failed' && state.reason) return failureStatus(state.reason);
  return CONNECTION[state.status];
}

// The parameter is not called `count`: i18next would resolve plural forms for it on every call.
export function waitingStatus(t: Translate, pending: number): NodeStatus {
  return { fill: 'blue', shape: 'dot', text: t(shared('status.waiting'), { pending }) };
}
