/**
 * What the simulator publishes on CometD, in the shapes of the GWS documentation: OutboundRecordMessage
 * and OutboundCampaignMessage on `/v2/me/outbound`, DeviceUserEventMessage on `/me/internal`, and the
 * two ways an OCS refusal is told (an error notification, or GSW_ERROR in a user event).
 */

export const OUTBOUND = '/v2/me/outbound';
export const INTERNAL = '/me/internal';

export interface Planned {
  channel: string;
  data: Record<string, unknown>;
}

/** Who and what a request is about, as every notification about it names them. */
export interface Subject {
  operationName: string;
  /** The record the request names in its path; absent for AddRecord and the campaign operations. */
  recordHandle?: number | string;
  campaignName: string;
  callingList?: string;
  applicationId: number;
  devicePath: string;
  referenceId?: string;
  /** The notificationType that answers the request. */
  ackType: string;
  /** The messageType of that answer. */
  messageType: 'OutboundRecordMessage' | 'OutboundCampaignMessage';
}

/** `metrics.eventProcessing` as GWS measures it, from the moment the request arrived. */
export function metrics(startedNs: bigint): Record<string, unknown> {
  const nanos = Number(process.hrtime.bigint() - startedNs);
  return {
    eventProcessing: {
      serverGenerationTimestamp: Date.now(),
      nodeProcessingTimeNanos: nanos,
      serverProcessingTimeTotalMs: Math.max(1, Math.round(nanos / 1e6)),
    },
  };
}

/** A message on `/v2/me/outbound` that carries the request's referenceId (when it had one). */
export function outbound(subject: Subject, data: Record<string, unknown>): Planned {
  return { channel: OUTBOUND, data: subject.referenceId === undefined ? data : { ...data, referenceId: subject.referenceId } };
}

/** The record as the acknowledgements of the seed pages show it (CompleteRecord's field order). */
export function ackRecord(subject: Subject, recordHandle: number | string | undefined): Record<string, unknown> {
  return withoutUndefined({
    campaignName: subject.campaignName,
    devicePath: subject.devicePath,
    callingList: subject.callingList,
    applicationId: subject.applicationId,
    recordHandle,
  });
}

/** The DeviceUserEventMessage of the device the request named. */
export function userEvent(subject: Subject, userData: Record<string, unknown>, startedNs: bigint): Planned {
  return {
    channel: INTERNAL,
    data: { metrics: metrics(startedNs), userData, deviceId: deviceIdOf(subject.devicePath), messageType: 'DeviceUserEventMessage' },
  };
}

/** An error notification in place of the answer: the answer's type with Error for its ending. */
export function errorNotification(subject: Subject, errorMessage: string): Planned {
  const about = subject.messageType === 'OutboundCampaignMessage'
    ? { campaign: { name: subject.campaignName, devicePath: subject.devicePath, applicationId: subject.applicationId } }
    : { record: ackRecord(subject, subject.recordHandle) };
  return outbound(subject, {
    ...about,
    notificationType: `${subject.ackType.replace(/(Acknowledge|DataEnd)$/, '')}Error`,
    messageType: subject.messageType,
    errorMessage,
    errorCode: 1003,
  });
}

/**
 * OCS's own way of refusing: a user event for the answer the request expected, with GSW_ERROR and
 * GSW_ERROR_NUMBER, for the record (by handle) or, where there is none, the campaign.
 */
export function userEventError(subject: Subject, errorMessage: string, errorNumber: number, startedNs: bigint): Planned {
  return userEvent(subject, withoutUndefined({
    GSW_CALLING_LIST: subject.callingList,
    GSW_APPLICATION_ID: subject.applicationId,
    GSW_RECORD_HANDLE: subject.recordHandle,
    GSW_USER_EVENT: subject.ackType,
    GSW_CAMPAIGN_NAME: subject.campaignName,
    GSW_ERROR: errorMessage,
    GSW_ERROR_NUMBER: errorNumber,
  }), startedNs);
}

export function deviceIdOf(devicePath: string): string {
  return devicePath.slice('/devices/'.length);
}

export function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
