/**
 * `POST /api/v2/me/outbound-records/<record-handle>`: checks a request as GWS does and plans what
 * follows on CometD, in the shapes of the two seed pages: the acknowledgement on `/v2/me/outbound`
 * and the DeviceUserEventMessage on `/me/internal`.
 */
import { CALL_RESULTS, parseCallResult } from '../core/call-results.js';

export type SimCallResultFormat = 'name' | 'number' | 'any';

export interface OperationContext {
  handle: string;
  body: unknown;
  callResultFormat: SimCallResultFormat;
  chainLength: number;
  /** Calling list of a record the simulator has seen, for answers to requests that do not name it. */
  callingListOf(handle: string): string;
}

export interface Planned {
  channel: string;
  data: Record<string, unknown>;
}

export interface OperationPlan {
  operationName: string;
  referenceId?: string;
  /** Messages before the answer (the chained records of GetChainedRecord). */
  before: Planned[];
  answer: Planned;
  userEvent: Planned;
  /** What the record looks like now, to remember its calling list. */
  callingList?: string;
}

export type OperationOutcome =
  | { ok: true; plan: OperationPlan }
  | { ok: false; httpStatus: number; statusCode: number; statusMessage: string };

export const OUTBOUND = '/v2/me/outbound';
export const INTERNAL = '/me/internal';

interface OperationRule {
  ack: string;
  required: string[];
}

const OPERATIONS: Record<string, OperationRule> = {
  CompleteRecord: { ack: 'RecordProcessedAcknowledge', required: ['applicationId', 'campaignName', 'callingList', 'devicePath'] },
  GetChainedRecord: { ack: 'ChainedRecordsDataEnd', required: ['applicationId', 'campaignName', 'devicePath'] },
  RejectRecord: { ack: 'RecordRejectAcknowledge', required: ['applicationId', 'campaignName', 'devicePath'] },
  UpdateRecord: { ack: 'UpdateCallCompletionStatsAcknowledge', required: ['applicationId', 'campaignName', 'devicePath'] },
  DoNotCallRecord: { ack: 'DoNotCallAcknowledge', required: ['applicationId', 'campaignName', 'devicePath'] },
  RescheduleRecord: {
    ack: 'ScheduledRecordRescheduleAcknowledge',
    required: ['applicationId', 'campaignName', 'devicePath', 'callbackType', 'timestamp'],
  },
};

export const ACK_TYPES: Record<string, string> = Object.fromEntries(Object.entries(OPERATIONS).map(([name, rule]) => [name, rule.ack]));

function invalid(statusMessage: string): OperationOutcome {
  return { ok: false, httpStatus: 400, statusCode: 1, statusMessage };
}

export function planOperation(context: OperationContext): OperationOutcome {
  const started = process.hrtime.bigint();
  const body = context.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid('The request body must be a JSON object');
  const params = body as Record<string, unknown>;
  const operationName = params.operationName;
  if (typeof operationName !== 'string' || !Object.hasOwn(OPERATIONS, operationName)) {
    return invalid('Missing or invalid parameter: operationName');
  }
  const rule = OPERATIONS[operationName];
  for (const name of rule.required) {
    const value = params[name];
    if (value === undefined || value === null || value === '') return invalid(`Missing required parameter: ${name}`);
  }
  if (typeof params.applicationId !== 'number' || !Number.isInteger(params.applicationId)) {
    return invalid('Invalid parameter: applicationId must be an integer');
  }
  for (const name of ['campaignName', 'callingList', 'devicePath', 'phoneNumber', 'referenceId']) {
    if (params[name] !== undefined && typeof params[name] !== 'string') return invalid(`Invalid parameter: ${name} must be a string`);
  }
  if (!/^\/devices\/[^/?#\s]+$/.test(params.devicePath as string)) return invalid('Invalid parameter: devicePath');
  let callResultCode: number | undefined;
  if (params.callResult !== undefined) {
    const value = params.callResult;
    const byFormat =
      context.callResultFormat === 'any' ||
      (context.callResultFormat === 'name' && typeof value === 'string' && !/^\d+$/.test(value)) ||
      (context.callResultFormat === 'number' && typeof value === 'number');
    const parsed = byFormat ? parseCallResult(value) : undefined;
    if (parsed === undefined) return invalid('Invalid parameter: callResult');
    callResultCode = parsed.code;
  }
  if (operationName === 'RescheduleRecord' && params.callbackType !== 'Personal' && params.callbackType !== 'Campaign') {
    return invalid('Invalid parameter: callbackType must be Personal or Campaign');
  }

  const referenceId = typeof params.referenceId === 'string' ? params.referenceId : undefined;
  const recordHandle: number | string = /^\d{1,15}$/.test(context.handle) ? Number(context.handle) : context.handle;
  const applicationId = params.applicationId;
  const campaignName = params.campaignName as string;
  const devicePath = params.devicePath as string;
  const callingList = typeof params.callingList === 'string' ? params.callingList : context.callingListOf(context.handle);
  const deviceId = devicePath.slice('/devices/'.length);
  const withReference = (data: Record<string, unknown>) => (referenceId === undefined ? data : { ...data, referenceId });
  const metrics = () => {
    const nanos = Number(process.hrtime.bigint() - started);
    return {
      eventProcessing: {
        serverGenerationTimestamp: Date.now(),
        nodeProcessingTimeNanos: nanos,
        serverProcessingTimeTotalMs: Math.max(1, Math.round(nanos / 1e6)),
      },
    };
  };

  const before: Planned[] = [];
  let record: Record<string, unknown>;
  let userData: Record<string, unknown>;
  if (operationName === 'GetChainedRecord') {
    for (let i = 1; i <= context.chainLength; i++) {
      before.push({
        channel: OUTBOUND,
        data: withReference({
          record: {
            devicePath,
            callingList,
            applicationId,
            recordHandle: typeof recordHandle === 'number' ? recordHandle * 100 + i : `${recordHandle}-${i}`,
            campaignName,
            chainId: 1,
            chainN: i,
            contactInfo: `5550100${String(i).padStart(3, '0')}`,
          },
          notificationType: 'ChainedRecord',
          messageType: 'OutboundRecordMessage',
        }),
      });
    }
    record = { devicePath, callingList, applicationId, recordHandle, campaignName };
    userData = {
      GSW_APPLICATION_ID: applicationId,
      GSW_RECORD_HANDLE: recordHandle,
      GSW_USER_EVENT: rule.ack,
      GSW_CALLING_LIST: callingList,
      GSW_CAMPAIGN_NAME: campaignName,
      GSW_CHAIN_ID: 1,
    };
  } else {
    record = { campaignName, devicePath, callingList, applicationId, recordHandle };
    userData = {
      GSW_CALLING_LIST: callingList,
      GSW_APPLICATION_ID: applicationId,
      GSW_RECORD_HANDLE: recordHandle,
      GSW_USER_EVENT: rule.ack,
      GSW_CALL_RESULT: callResultCode ?? CALL_RESULTS.Answer,
      GSW_CAMPAIGN_NAME: campaignName,
    };
  }
  const answer: Planned = {
    channel: OUTBOUND,
    data: withReference({ record, notificationType: rule.ack, messageType: 'OutboundRecordMessage' }),
  };
  const userEvent: Planned = {
    channel: INTERNAL,
    data: { metrics: metrics(), userData, deviceId, messageType: 'DeviceUserEventMessage' },
  };
  return {
    ok: true,
    plan: { operationName, referenceId, before, answer, userEvent, callingList: typeof params.callingList === 'string' ? params.callingList : undefined },
  };
}

/** An error notification in place of the acknowledgement (OCS refused the request). */
export function errorNotification(plan: OperationPlan, errorMessage: string): Planned {
  const data = plan.answer.data;
  const type = String(data.notificationType).replace(/(Acknowledge|DataEnd)$/, 'Error');
  return {
    channel: OUTBOUND,
    data: {
      record: data.record,
      notificationType: type,
      messageType: 'OutboundRecordMessage',
      ...(plan.referenceId === undefined ? {} : { referenceId: plan.referenceId }),
      errorMessage,
      errorCode: 1003,
    },
  };
}
