/**
 * Reading notifications at the boundary: which request an outbound message answers, whether it
 * reports an error, and the key that joins a DeviceUserEventMessage to its acknowledgement.
 */
import { serverText } from './server-text.js';
import type { DeviceUserEventMessage, OutboundRecordMessage } from './wire-types.js';

export const USER_EVENT_MESSAGE = 'DeviceUserEventMessage';

export function isUserEvent(data: Record<string, unknown>): data is DeviceUserEventMessage {
  return data.messageType === USER_EVENT_MESSAGE;
}

export function referenceIdOf(data: Record<string, unknown>): string | undefined {
  const id = data.referenceId;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

/** `GSW_RECORD_HANDLE` + `GSW_USER_EVENT` of a user event, the key it is joined by. */
export function userEventKey(data: DeviceUserEventMessage): string | undefined {
  const userData = data.userData;
  if (userData === null || typeof userData !== 'object') return undefined;
  const handle = userData.GSW_RECORD_HANDLE;
  const event = userData.GSW_USER_EVENT;
  if ((typeof handle !== 'string' && typeof handle !== 'number') || typeof event !== 'string') return undefined;
  return joinKey(handle, event);
}

export function joinKey(recordHandle: string | number, notificationType: string): string {
  return `${String(recordHandle)}\n${notificationType}`;
}

/** The record handle an outbound message names: `record.recordHandle`, else `record.userData.GSW_RECORD_HANDLE` (where GWS puts it in a PreviewRecord is not documented). */
export function recordHandleOf(data: Record<string, unknown>): string | number | undefined {
  const record = data.record;
  if (!isObject(record)) return undefined;
  const handle = record.recordHandle;
  if ((typeof handle === 'string' && handle !== '') || (typeof handle === 'number' && Number.isFinite(handle))) return handle;
  const userData = record.userData;
  const fromUserData = isObject(userData) ? userData.GSW_RECORD_HANDLE : undefined;
  if ((typeof fromUserData === 'string' && fromUserData !== '') || (typeof fromUserData === 'number' && Number.isFinite(fromUserData))) return fromUserData;
  return undefined;
}

/** Record handles compare as text: a request may give "12" where GWS answers 12. */
export function sameHandle(a: string | number, b: string | number): boolean {
  return String(a) === String(b);
}

export interface UserEventError {
  /** `GSW_USER_EVENT`: the answer type the error stands in for. */
  event: string;
  recordHandle?: string | number;
  campaignName?: string;
  detail: string;
}

/** A DeviceUserEventMessage whose user data reports an OCS error (`GSW_ERROR`, `GSW_ERROR_NUMBER`). */
export function userEventError(data: DeviceUserEventMessage): UserEventError | undefined {
  const userData = data.userData;
  if (!isObject(userData)) return undefined;
  const event = userData.GSW_USER_EVENT;
  const text = userData.GSW_ERROR;
  const number = userData.GSW_ERROR_NUMBER;
  if (typeof event !== 'string' || event === '') return undefined;
  const hasText = typeof text === 'string' && text.trim() !== '';
  const hasNumber = typeof number === 'number' || (typeof number === 'string' && number.trim() !== '');
  if (!hasText && !hasNumber) return undefined;
  const handle = userData.GSW_RECORD_HANDLE;
  const campaign = userData.GSW_CAMPAIGN_NAME;
  const parts = [hasText ? serverText(text) : 'OCS error'];
  if (hasNumber) parts.push(`(error ${serverText(number, 20)})`);
  return {
    event,
    recordHandle: typeof handle === 'string' || typeof handle === 'number' ? handle : undefined,
    campaignName: typeof campaign === 'string' ? campaign : undefined,
    detail: parts.join(' '),
  };
}

export interface NotificationError {
  detail: string;
}

const ERROR_TYPE = /(error|nack|failed|failure)$/i;

/**
 * How OCS refusals reach CometD is not documented: a notificationType ending in Error/Nack/Failed, or an
 * error text in the message (`errorMessage`, `error`) or in OCS user data (`GSW_ERROR`,
 * `GSW_ERROR_NUMBER`) all count as an error. Returns undefined for anything else.
 */
export function notificationError(data: OutboundRecordMessage): NotificationError | undefined {
  const type = typeof data.notificationType === 'string' ? data.notificationType : '';
  const record = isObject(data.record) ? data.record : {};
  const userData = isObject(data.userData) ? data.userData : {};
  const text = firstText(
    userData.GSW_ERROR,
    record.GSW_ERROR,
    data.errorMessage,
    data.error,
    data.statusMessage,
  );
  const number = userData.GSW_ERROR_NUMBER ?? record.GSW_ERROR_NUMBER ?? data.errorCode;
  if (!ERROR_TYPE.test(type) && text === undefined && number === undefined) return undefined;
  const parts = [text ?? (type ? serverText(type, 100) : 'error')];
  if (typeof number === 'number' || typeof number === 'string') parts.push(`(error ${serverText(number, 20)})`);
  return { detail: parts.join(' ') };
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') return serverText(value);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What a record node wired after a preview needs, at the top of the PreviewRecord's payload. */
export interface PreviewRecordFields {
  recordHandle?: string | number;
  callingList?: string;
  campaignName?: string;
  applicationId?: number;
  phoneNumber?: string;
}

/**
 * The record of a PreviewRecord answer, read from both places GWS may use: the `record` itself and its
 * OCS user data (`GSW_*`); the request fills in the campaign and application it was sent for.
 */
export function previewRecordFields(data: Record<string, unknown>, request: { campaignName?: string; applicationId?: number }): PreviewRecordFields {
  const record = isObject(data.record) ? data.record : {};
  const userData = isObject(record.userData) ? record.userData : {};
  const text = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v !== '') ??
    values.find((v): v is number => typeof v === 'number' && Number.isFinite(v))?.toString();
  const integer = (...values: unknown[]) => {
    for (const value of values) {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
    }
    return undefined;
  };
  const fields: PreviewRecordFields = {};
  const handle = recordHandleOf(data);
  if (handle !== undefined) fields.recordHandle = handle;
  const callingList = text(record.callingList, userData.GSW_CALLING_LIST);
  if (callingList !== undefined) fields.callingList = callingList;
  const campaignName = text(record.campaignName, userData.GSW_CAMPAIGN_NAME, request.campaignName);
  if (campaignName !== undefined) fields.campaignName = campaignName;
  const applicationId = integer(record.applicationId, userData.GSW_APPLICATION_ID, request.applicationId);
  if (applicationId !== undefined) fields.applicationId = applicationId;
  const phoneNumber = text(userData.GSW_PHONE, record.phoneNumber, record.contactInfo);
  if (phoneNumber !== undefined) fields.phoneNumber = phoneNumber;
  return fields;
}
