/**
 * The simulator's own rules for the ten Outbound API operations, written from the GWS 8.5 pages and
 * kept apart from the client's table (core/operation-table.ts) on purpose: the simulator checks what
 * the client sends instead of agreeing with it by construction. It refuses like GWS, HTTP 400 with
 * statusCode 1 and a statusMessage naming the parameter, and is stricter than the pages only where a
 * client bug would otherwise pass unseen (parameters an operation does not take, millisecond timestamps).
 */
import { parseCallResult } from '../core/call-results.js';

export type SimCallResultFormat = 'name' | 'number' | 'any';

/**
 * Where an operation is POSTed: `record` = `/api/v2/me/outbound-records/<record-handle>`,
 * `records` = `/api/v2/me/outbound-records`, `campaign` = `/api/v2/me/outbound-campaigns/<campaign-name>`.
 */
export type Endpoint = 'record' | 'records' | 'campaign';

const ENDPOINT_PATHS: Record<Endpoint, string> = {
  record: '/api/v2/me/outbound-records/<record-handle>',
  records: '/api/v2/me/outbound-records',
  campaign: '/api/v2/me/outbound-campaigns/<campaign-name>',
};

type FieldRule =
  | { kind: 'integer' | 'text' | 'devicePath' | 'callResult' | 'timestamp' | 'userFields' }
  | { kind: 'enum'; values: readonly string[] };

const FIELDS = {
  applicationId: { kind: 'integer' },
  campaignName: { kind: 'text' },
  callingList: { kind: 'text' },
  callResult: { kind: 'callResult' },
  callbackType: { kind: 'enum', values: ['Personal', 'Campaign'] },
  timestamp: { kind: 'timestamp' },
  phoneNumber: { kind: 'text' },
  chainAttribute: { kind: 'enum', values: ['AllChain', 'RecordOnly'] },
  timeZone: { kind: 'text' },
  phoneType: {
    kind: 'enum',
    values: [
      'NoContactType', 'HomePhone', 'DirectBusinessPhone', 'BusinessWithExt', 'Mobile', 'VacationPhone',
      'Pager', 'Modem', 'VoiceMail', 'PinPager', 'EmailAddress', 'InstantMessaging',
    ],
  },
  from: { kind: 'integer' },
  until: { kind: 'integer' },
  chainId: { kind: 'integer' },
  otherFields: { kind: 'userFields' },
  devicePath: { kind: 'devicePath' },
  referenceId: { kind: 'text' },
} as const satisfies Record<string, FieldRule>;

type FieldName = keyof typeof FIELDS;

interface OperationRule {
  endpoint: Endpoint;
  /** The notificationType of the answer on `/v2/me/outbound`. */
  ack: string;
  messageType: 'OutboundRecordMessage' | 'OutboundCampaignMessage';
  /** The body parameters besides operationName, in the order of the documentation page: true = required. */
  fields: Partial<Record<FieldName, boolean>>;
}

const REQUIRED = true;
const OPTIONAL = false;

const OPERATIONS: Record<string, OperationRule> = {
  CompleteRecord: {
    endpoint: 'record',
    ack: 'RecordProcessedAcknowledge',
    messageType: 'OutboundRecordMessage',
    fields: { applicationId: REQUIRED, campaignName: REQUIRED, callingList: REQUIRED, callResult: OPTIONAL, phoneNumber: OPTIONAL, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  GetChainedRecord: {
    endpoint: 'record',
    ack: 'ChainedRecordsDataEnd',
    messageType: 'OutboundRecordMessage',
    fields: { applicationId: REQUIRED, campaignName: REQUIRED, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  RejectRecord: {
    endpoint: 'record',
    ack: 'RecordRejectAcknowledge',
    messageType: 'OutboundRecordMessage',
    fields: { applicationId: REQUIRED, campaignName: REQUIRED, callingList: REQUIRED, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  RescheduleRecord: {
    endpoint: 'record',
    ack: 'ScheduledRecordRescheduleAcknowledge',
    messageType: 'OutboundRecordMessage',
    fields: { applicationId: REQUIRED, campaignName: REQUIRED, callbackType: REQUIRED, timestamp: REQUIRED, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  DoNotCallRecord: {
    endpoint: 'record',
    ack: 'DoNotCallAcknowledge',
    messageType: 'OutboundRecordMessage',
    fields: { applicationId: REQUIRED, campaignName: REQUIRED, callingList: REQUIRED, phoneNumber: OPTIONAL, chainAttribute: OPTIONAL, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  UpdateRecord: {
    endpoint: 'record',
    ack: 'UpdateCallCompletionStatsAcknowledge',
    messageType: 'OutboundRecordMessage',
    fields: {
      applicationId: REQUIRED, campaignName: REQUIRED, callingList: OPTIONAL, phoneNumber: OPTIONAL, timeZone: OPTIONAL,
      phoneType: OPTIONAL, from: OPTIONAL, until: OPTIONAL, devicePath: REQUIRED, referenceId: OPTIONAL,
    },
  },
  AddRecord: {
    endpoint: 'records',
    ack: 'AddRecordAcknowledge',
    messageType: 'OutboundRecordMessage',
    fields: {
      applicationId: REQUIRED, campaignName: REQUIRED, callingList: REQUIRED, phoneNumber: REQUIRED, timeZone: REQUIRED,
      phoneType: REQUIRED, from: REQUIRED, until: REQUIRED, chainId: OPTIONAL, otherFields: OPTIONAL, devicePath: REQUIRED, referenceId: OPTIONAL,
    },
  },
  StartPreviewSession: {
    endpoint: 'campaign',
    ack: 'PreviewSessionStarted',
    messageType: 'OutboundCampaignMessage',
    fields: { applicationId: REQUIRED, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  GetPreviewRecord: {
    endpoint: 'campaign',
    ack: 'PreviewRecord',
    messageType: 'OutboundRecordMessage',
    fields: { applicationId: REQUIRED, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
  EndPreviewSession: {
    endpoint: 'campaign',
    ack: 'PreviewSessionEnded',
    messageType: 'OutboundCampaignMessage',
    fields: { applicationId: REQUIRED, devicePath: REQUIRED, referenceId: OPTIONAL },
  },
};

/** The acknowledgement (answer notificationType) of every operation. */
export const ACK_TYPES: Record<string, string> = Object.fromEntries(Object.entries(OPERATIONS).map(([name, rule]) => [name, rule.ack]));

/** Seconds since 1970 up to the year 5138: a millisecond timestamp of today is far beyond. */
const MAX_TIMESTAMP_SECONDS = 99_999_999_999;

export interface CheckedRequest {
  operationName: string;
  rule: OperationRule;
  params: Record<string, unknown>;
  /** The OCS code of the callResult, when one was given. */
  callResultCode?: number;
}

export interface Refusal {
  httpStatus: number;
  statusCode: number;
  statusMessage: string;
}

function invalid(statusMessage: string): Refusal {
  return { httpStatus: 400, statusCode: 1, statusMessage };
}

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Checks a request body POSTed to `endpoint` as GWS does; the first problem found is the answer. */
export function checkRequest(endpoint: Endpoint, body: unknown, callResultFormat: SimCallResultFormat): CheckedRequest | Refusal {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid('The request body must be a JSON object');
  const params = body as Record<string, unknown>;
  const operationName = params.operationName;
  if (typeof operationName !== 'string' || !Object.hasOwn(OPERATIONS, operationName)) {
    return invalid('Missing or invalid parameter: operationName');
  }
  const rule = OPERATIONS[operationName];
  if (rule.endpoint !== endpoint) {
    return invalid(`Invalid parameter: operationName ${operationName} is not an operation of ${ENDPOINT_PATHS[endpoint]}`);
  }
  for (const name of Object.keys(params)) {
    if (name !== 'operationName' && !Object.hasOwn(rule.fields, name)) return invalid(`Invalid parameter: ${name} is not a parameter of ${operationName}`);
  }
  const fields = Object.entries(rule.fields) as Array<[FieldName, boolean]>;
  for (const [name, required] of fields) {
    if (required && absent(params[name])) return invalid(`Missing required parameter: ${name}`);
  }
  let callResultCode: number | undefined;
  for (const [name] of fields) {
    if (params[name] === undefined) continue;
    const problem = checkField(name, params[name], callResultFormat);
    if (typeof problem === 'string') return invalid(problem);
    if (name === 'callResult') callResultCode = problem;
  }
  return { operationName, rule, params, callResultCode };
}

/** The problem of one present parameter as a statusMessage; a callResult gives its code instead. */
function checkField(name: FieldName, value: unknown, callResultFormat: SimCallResultFormat): string | number | undefined {
  const rule: FieldRule = FIELDS[name];
  switch (rule.kind) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : `Invalid parameter: ${name} must be an integer`;
    case 'text':
      if (typeof value !== 'string') return `Invalid parameter: ${name} must be a string`;
      // A client sends nothing for a parameter it has no value for.
      return value === '' ? `Invalid parameter: ${name} must not be empty` : undefined;
    case 'devicePath':
      return typeof value === 'string' && /^\/devices\/[^/?#\s]+$/.test(value) ? undefined : 'Invalid parameter: devicePath';
    case 'timestamp':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TIMESTAMP_SECONDS
        ? undefined
        : 'Invalid parameter: timestamp must be an integer number of seconds since 1970';
    case 'enum':
      return typeof value === 'string' && rule.values.includes(value) ? undefined : `Invalid parameter: ${name} must be ${oneOf(rule.values)}`;
    case 'userFields':
      return checkUserFields(value);
    case 'callResult': {
      const byFormat =
        callResultFormat === 'any' ||
        (callResultFormat === 'name' && typeof value === 'string' && !/^\d+$/.test(value)) ||
        (callResultFormat === 'number' && typeof value === 'number');
      const parsed = byFormat ? parseCallResult(value) : undefined;
      return parsed === undefined ? 'Invalid parameter: callResult' : parsed.code;
    }
  }
}

/** otherFields: the user fields of a new record, each text, a number or a boolean. */
function checkUserFields(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'Invalid parameter: otherFields must be an object of user fields';
  for (const [key, field] of Object.entries(value)) {
    if (!['string', 'number', 'boolean'].includes(typeof field)) return `Invalid parameter: otherFields.${key} must be a string, a number or a boolean`;
  }
  return undefined;
}

function oneOf(values: readonly string[]): string {
  return values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
}

export function isRefusal<T extends object>(outcome: T | Refusal): outcome is Refusal {
  return 'statusCode' in outcome;
}
