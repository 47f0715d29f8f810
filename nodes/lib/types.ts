/** Types of the nodes' configuration, credentials and messages. */
import type { Node, NodeDef, NodeMessage } from 'node-red';
import type { CallResultFormat } from '../../core/call-results.js';
import type { ConnectionState, GwsConnection } from '../../core/connection.js';
import type { ConnectionUser } from '../../core/shared-connection.js';
import type { CorrelationInfo } from '../../core/correlator.js';
import type { PreviewRecordFields } from '../../core/notifications.js';
import type { ParamName } from '../../core/operation-table.js';
import type { DeviceUserEventMessage, OperationBody, OperationName, OutboundRecord, OutboundRecordMessage } from '../../core/wire-types.js';

export interface GwsServerDef extends NodeDef {
  baseUrl?: string;
  /** Connect to the simulator bundled with the package instead of a GWS server. */
  useSimulator?: boolean | string;
  devicePath?: string;
  applicationId?: string | number;
  campaignName?: string;
  /** Id of a core tls-config node. */
  tls?: string;
  ackTimeout?: string | number;
  callResultFormat?: CallResultFormat;
  /** Id of a core `http proxy` config node. */
  proxy?: string;
  /** Connections (sockets) this server node may open at once. */
  maxSockets?: string | number;
}

export interface GwsServerCredentials {
  username?: string;
  password?: string;
}

/** The TypedInput types a parameter may have (`json` for an object such as otherFields). */
export type TypedInputType = 'msg' | 'flow' | 'global' | 'str' | 'num' | 'env' | 'jsonata' | 'json';

/** A request parameter as the editor stores it: the value and its TypedInput type. */
export type ParamProperties = Partial<Record<ParamName, string>> & Partial<Record<`${ParamName}Type`, TypedInputType>>;

export type ActionNodeDef = NodeDef &
  ParamProperties & {
    server?: string;
    /** gws-outbound-record and gws-outbound-campaign: the operation, or `msg` to read msg.operation. */
    operation?: string;
    waitForAck?: boolean | string;
    timeout?: string | number;
  };

export type EventChannel = '/v2/me/outbound' | '/me/internal' | 'both' | '/v2/me/*';
export type CorrelatedFilter = 'all' | 'only' | 'none';

export interface EventNodeDef extends NodeDef {
  server?: string;
  channel?: EventChannel | string;
  notificationTypes?: string | string[];
  correlated?: CorrelatedFilter | string;
}

/** Defaults of the server node that action nodes fall back to. */
export interface ServerDefaults {
  devicePath?: string;
  applicationId?: string | number;
  campaignName?: string;
}

/** A node that uses a server node: it is told every change of the connection state (and notifications, if it listens). */
export type ServerUser = ConnectionUser;

export interface GwsServerNode extends Node<GwsServerCredentials> {
  readonly defaults: ServerDefaults;
  readonly ackTimeoutMs: number;
  /** The server URL as Node-RED expanded it (`${ENV}` references resolved). */
  readonly baseUrl: string;
  /** Why the server node cannot connect (bad URL, no credentials), in words; undefined when usable. */
  readonly configError?: string;
  readonly connectionState: ConnectionState;
  register(user: ServerUser): void;
  deregister(user: ServerUser, removed: boolean): Promise<void>;
  /** The shared connection, created and started on first use. */
  connect(): Promise<GwsConnection>;
}

/** `msg.gws` of an action node's output and of the message a Catch node receives. */
export interface GwsMessageInfo {
  operationName: OperationName;
  recordHandle?: string | number;
  referenceId?: string;
  statusCode?: number;
  httpStatus?: number;
  request?: OperationBody;
  userEvent?: DeviceUserEventMessage;
  elapsedMs?: number;
}

export interface ChainPayload {
  records: OutboundRecord[];
  end: OutboundRecordMessage;
}

/** msg.payload of an action node's output: the answer, a chain, a previewed record, or (waitForAck off) the synchronous answer. */
export type ActionPayload = OutboundRecordMessage | ChainPayload | (OutboundRecordMessage & PreviewRecordFields) | { statusCode: number };

export interface ActionOutputMessage extends NodeMessage {
  payload: ActionPayload;
  topic: string;
  gws: GwsMessageInfo;
}

export interface EventOutputMessage extends NodeMessage {
  payload: Record<string, unknown>;
  topic: string;
  channel: string;
  gws?: { correlation: CorrelationInfo };
}
