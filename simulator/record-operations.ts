/**
 * The operations on records: CompleteRecord, GetChainedRecord, RejectRecord, RescheduleRecord,
 * DoNotCallRecord and UpdateRecord on `/api/v2/me/outbound-records/<record-handle>`, and AddRecord on
 * `/api/v2/me/outbound-records`. Each answers with an OutboundRecordMessage naming the record and a
 * DeviceUserEventMessage for it, in the shapes of the seed pages.
 */
import type { KnownRecords } from './known-records.js';
import { ackRecord, outbound, userEvent, type Planned, type Subject } from './notifications.js';
import type { OperationPlan } from './operation-plan.js';
import type { CheckedRequest } from './operation-rules.js';

export interface RecordOperationContext {
  request: CheckedRequest;
  /** The record handle of the path; undefined for AddRecord. */
  handle?: string;
  /** Chained records sent before ChainedRecordsDataEnd. */
  chainLength: number;
  records: KnownRecords;
  startedNs: bigint;
}

/** OCS call result `Answer`, what the CompleteRecord seed reports when the request names none. */
const ANSWER = 33;

export function planRecordOperation(context: RecordOperationContext): OperationPlan {
  const { request, records, startedNs } = context;
  const params = request.params;
  const adding = request.operationName === 'AddRecord';
  // A numeric handle is a number on the wire, as in the seeds; any other handle stays text.
  const recordHandle: number | string = adding
    ? records.newHandle()
    : /^\d{1,15}$/.test(context.handle as string) ? Number(context.handle) : (context.handle as string);
  const given = typeof params.callingList === 'string' ? params.callingList : undefined;
  const subject: Subject = {
    operationName: request.operationName,
    recordHandle: adding ? undefined : recordHandle,
    campaignName: params.campaignName as string,
    callingList: given ?? records.callingListOf(recordHandle),
    applicationId: params.applicationId as number,
    devicePath: params.devicePath as string,
    referenceId: params.referenceId as string | undefined,
    ackType: request.rule.ack,
    messageType: 'OutboundRecordMessage',
  };
  const commit = () => {
    if (given !== undefined) records.remember(recordHandle, given);
  };
  const identity = {
    GSW_CALLING_LIST: subject.callingList,
    GSW_APPLICATION_ID: subject.applicationId,
    GSW_RECORD_HANDLE: recordHandle,
    GSW_USER_EVENT: subject.ackType,
  };
  const acknowledge = (record: Record<string, unknown>) => outbound(subject, { record, notificationType: subject.ackType, messageType: subject.messageType });

  switch (request.operationName) {
    case 'GetChainedRecord':
      return {
        subject,
        before: chain(subject, recordHandle, context.chainLength),
        answer: acknowledge({
          devicePath: subject.devicePath,
          callingList: subject.callingList,
          applicationId: subject.applicationId,
          recordHandle,
          campaignName: subject.campaignName,
        }),
        userEvent: userEvent(subject, {
          GSW_APPLICATION_ID: subject.applicationId,
          GSW_RECORD_HANDLE: recordHandle,
          GSW_USER_EVENT: subject.ackType,
          GSW_CALLING_LIST: subject.callingList,
          GSW_CAMPAIGN_NAME: subject.campaignName,
          GSW_CHAIN_ID: 1,
        }, startedNs),
        commit,
        startedNs,
      };
    case 'CompleteRecord':
      return {
        subject,
        before: [],
        answer: acknowledge(ackRecord(subject, recordHandle)),
        userEvent: userEvent(subject, {
          ...identity,
          GSW_CALL_RESULT: request.callResultCode ?? ANSWER,
          GSW_CAMPAIGN_NAME: subject.campaignName,
        }, startedNs),
        commit,
        startedNs,
      };
    case 'AddRecord': {
      const chainId = typeof params.chainId === 'number' ? params.chainId : records.newChainId();
      return {
        subject,
        before: [],
        answer: acknowledge(ackRecord(subject, recordHandle)),
        userEvent: userEvent(subject, { ...identity, GSW_CAMPAIGN_NAME: subject.campaignName, GSW_CHAIN_ID: chainId }, startedNs),
        commit,
        startedNs,
      };
    }
    default:
      return {
        subject,
        before: [],
        answer: acknowledge(ackRecord(subject, recordHandle)),
        userEvent: userEvent(subject, { ...identity, GSW_CAMPAIGN_NAME: subject.campaignName }, startedNs),
        commit,
        startedNs,
      };
  }
}

/** The records chained to the requested one. What GWS calls these messages is not documented. */
function chain(subject: Subject, handle: number | string, length: number): Planned[] {
  const messages: Planned[] = [];
  for (let i = 1; i <= length; i++) {
    messages.push(outbound(subject, {
      record: {
        devicePath: subject.devicePath,
        callingList: subject.callingList,
        applicationId: subject.applicationId,
        recordHandle: typeof handle === 'number' ? handle * 100 + i : `${handle}-${i}`,
        campaignName: subject.campaignName,
        chainId: 1,
        chainN: i,
        contactInfo: `5550100${String(i).padStart(3, '0')}`,
      },
      notificationType: 'ChainedRecord',
      messageType: 'OutboundRecordMessage',
    }));
  }
  return messages;
}
