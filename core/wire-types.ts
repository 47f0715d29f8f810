/**
 * Shapes that travel on the wire between GWS and this package, as the two seed pages show them.
 * Everything that arrives is checked at the boundary (see notifications.ts); these types describe
 * what a well-formed message holds.
 */

import type { OperationName } from './operation-table.js';

export type { OperationName } from './operation-table.js';

/**
 * Body of an operation's POST: `operationName`, the parameters the operation takes (see the operation
 * table; the record handle or campaign name of the path is not repeated) and `referenceId`.
 */
export interface OperationBody {
  operationName: OperationName;
  referenceId: string;
  applicationId?: number;
  campaignName?: string;
  callingList?: string;
  callResult?: string | number;
  phoneNumber?: string;
  devicePath?: string;
  callbackType?: string;
  timestamp?: number;
  chainAttribute?: string;
  timeZone?: string;
  phoneType?: string;
  from?: number;
  until?: number;
  chainId?: number;
  otherFields?: Record<string, string | number | boolean>;
}

/** Every JSON answer of the Web Services API. */
export interface GwsAnswer {
  statusCode: number;
  statusMessage?: string;
  [key: string]: unknown;
}

/** `GET /api/v2/me` answer. */
export interface MeAnswer extends GwsAnswer {
  user?: GwsUser;
}

export interface GwsUser {
  id?: string;
  userName?: string;
  firstName?: string;
  lastName?: string;
  [key: string]: unknown;
}

/** The `record` of an outbound notification. */
export interface OutboundRecord {
  campaignName?: string;
  devicePath?: string;
  callingList?: string;
  applicationId?: number;
  recordHandle?: number | string;
  [key: string]: unknown;
}

/** Data of a message on `/v2/me/outbound`. */
export interface OutboundRecordMessage {
  record?: OutboundRecord;
  notificationType?: string;
  messageType?: string;
  referenceId?: string;
  [key: string]: unknown;
}

/** Data of a message on `/me/internal`. */
export interface DeviceUserEventMessage {
  metrics?: {
    eventProcessing?: {
      serverGenerationTimestamp?: number;
      nodeProcessingTimeNanos?: number;
      serverProcessingTimeTotalMs?: number;
    };
  };
  userData?: Record<string, unknown> & {
    GSW_RECORD_HANDLE?: number | string;
    GSW_USER_EVENT?: string;
    GSW_CALL_RESULT?: number;
  };
  deviceId?: string;
  messageType?: 'DeviceUserEventMessage' | string;
  [key: string]: unknown;
}

/** The CometD channels this package subscribes. */
export const OUTBOUND_CHANNEL = '/v2/me/outbound';
export const INTERNAL_CHANNEL = '/me/internal';
export const SUBSCRIBED_CHANNELS = [OUTBOUND_CHANNEL, INTERNAL_CHANNEL] as const;
export type NotificationChannel = string;

/** One notification as it reaches the package: the channel, its data and the batch it came in. */
export interface Notification {
  channel: NotificationChannel;
  data: Record<string, unknown>;
  /** Increases with every long-poll answer; notifications of one answer share it. */
  batch: number;
}
