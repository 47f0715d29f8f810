/**
 * The operations of the GWS 8.5 Outbound API this package sends, as data: where each is POSTed, which
 * parameters it takes (required or optional, of which kind), and which CometD answer ends it.
 *
 * This table is the one source for the checks and the request body (operations.ts), for the editor
 * (the build serialises it to resources/gws-operations.js, from which every action dialog builds its
 * rows) and for the parameter lists of the help pages. It is plain data with no imports, so that the
 * build can load it on its own.
 */

/** Every request parameter, in the order the dialogs show them. */
export const PARAM_NAMES = [
  'recordHandle',
  'applicationId',
  'campaignName',
  'callingList',
  'callResult',
  'callbackType',
  'timestamp',
  'phoneNumber',
  'chainAttribute',
  'timeZone',
  'phoneType',
  'from',
  'until',
  'chainId',
  'otherFields',
  'devicePath',
  'referenceId',
] as const;

export type ParamName = (typeof PARAM_NAMES)[number];

/**
 * How a parameter is read and checked:
 * - `handle`: a non-empty text or a non-negative integer, kept as given (rule 4);
 * - `integer`: a non-negative integer, or a string of digits that is converted (rule 3);
 * - `text`: text (a number is turned into text), at most `max` characters, no control characters;
 * - `devicePath`: text of the form `/devices/<device id>`;
 * - `callResult`: an OCS call result by name or number, sent as the server node asks;
 * - `enum`: one of `values` (matched without regard to case, sent as written here);
 * - `timestamp`: seconds since 1970; a Date or ISO-8601 text is converted;
 * - `object`: an object of user fields (values: text, numbers, booleans);
 * - `referenceId`: text; a UUID is generated when absent.
 */
export type ParamKind = 'handle' | 'integer' | 'text' | 'devicePath' | 'callResult' | 'enum' | 'timestamp' | 'object' | 'referenceId';

export interface ParamSpec {
  kind: ParamKind;
  /** Longest text accepted (text kinds). */
  max?: number;
  /** The accepted values of an `enum`. */
  values?: readonly string[];
  /** Falls back to the default of the same name on the server node. */
  serverDefault?: boolean;
}

export const PARAMS = {
  recordHandle: { kind: 'handle', max: 256 },
  applicationId: { kind: 'integer', serverDefault: true },
  campaignName: { kind: 'text', max: 1024, serverDefault: true },
  callingList: { kind: 'text', max: 1024 },
  callResult: { kind: 'callResult' },
  callbackType: { kind: 'enum', values: ['Personal', 'Campaign'] },
  timestamp: { kind: 'timestamp' },
  phoneNumber: { kind: 'text', max: 64 },
  chainAttribute: { kind: 'enum', values: ['AllChain', 'RecordOnly'] },
  timeZone: { kind: 'text', max: 64 },
  phoneType: {
    kind: 'enum',
    values: [
      'NoContactType',
      'HomePhone',
      'DirectBusinessPhone',
      'BusinessWithExt',
      'Mobile',
      'VacationPhone',
      'Pager',
      'Modem',
      'VoiceMail',
      'PinPager',
      'EmailAddress',
      'InstantMessaging',
    ],
  },
  from: { kind: 'integer' },
  until: { kind: 'integer' },
  chainId: { kind: 'integer' },
  otherFields: { kind: 'object' },
  devicePath: { kind: 'devicePath', max: 512, serverDefault: true },
  referenceId: { kind: 'referenceId', max: 256 },
} as const satisfies Record<ParamName, ParamSpec>;

/**
 * Where an operation is POSTed:
 * - `record`: `/api/v2/me/outbound-records/<recordHandle>` (the handle is the path, not in the body);
 * - `records`: `/api/v2/me/outbound-records` (AddRecord: a new record has no handle yet);
 * - `campaign`: `/api/v2/me/outbound-campaigns/<campaignName>` (the name is the path, not in the body).
 */
export type Target = 'record' | 'records' | 'campaign';

/**
 * The CometD answer that ends a request (matched by referenceId):
 * - `ack`: the message whose notificationType is `type`; with `record`, an answer without a record
 *   (a PreviewRecord when the calling list is empty) is an error;
 * - `ackSuffix`: the first message whose notificationType ends in `suffix` (AddRecord's acknowledgement
 *   is not documented);
 * - `chain`: every message before the one of type `end` is one chained record.
 */
export type Expectation =
  | { kind: 'ack'; type: string; record?: boolean }
  | { kind: 'ackSuffix'; suffix: string }
  | { kind: 'chain'; end: string };

export type Presence = 'required' | 'optional';

export interface OperationSpec {
  target: Target;
  /** The parameters the operation takes, in dialog order; all others are never sent. */
  params: Readonly<Partial<Record<ParamName, Presence>>>;
  answer: Expectation;
}

const R = 'required';
const O = 'optional';

export const OPERATION_TABLE = {
  CompleteRecord: {
    target: 'record',
    params: { recordHandle: R, campaignName: R, applicationId: R, callingList: R, callResult: O, phoneNumber: O, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'RecordProcessedAcknowledge' },
  },
  GetChainedRecord: {
    target: 'record',
    params: { recordHandle: R, campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    answer: { kind: 'chain', end: 'ChainedRecordsDataEnd' },
  },
  RejectRecord: {
    target: 'record',
    params: { recordHandle: R, campaignName: R, applicationId: R, callingList: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'RecordRejectAcknowledge' },
  },
  RescheduleRecord: {
    target: 'record',
    params: { recordHandle: R, campaignName: R, applicationId: R, callbackType: R, timestamp: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'ScheduledRecordRescheduleAcknowledge' },
  },
  DoNotCallRecord: {
    target: 'record',
    params: { recordHandle: R, campaignName: R, applicationId: R, callingList: R, phoneNumber: O, chainAttribute: O, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'DoNotCallAcknowledge' },
  },
  UpdateRecord: {
    target: 'record',
    params: {
      recordHandle: R,
      campaignName: R,
      applicationId: R,
      callingList: O,
      phoneNumber: O,
      timeZone: O,
      phoneType: O,
      from: O,
      until: O,
      devicePath: R,
      referenceId: O,
    },
    answer: { kind: 'ack', type: 'UpdateCallCompletionStatsAcknowledge' },
  },
  AddRecord: {
    target: 'records',
    params: {
      campaignName: R,
      applicationId: R,
      callingList: R,
      phoneNumber: R,
      timeZone: R,
      phoneType: R,
      from: R,
      until: R,
      chainId: O,
      otherFields: O,
      devicePath: R,
      referenceId: O,
    },
    answer: { kind: 'ackSuffix', suffix: 'Acknowledge' },
  },
  StartPreviewSession: {
    target: 'campaign',
    params: { campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'PreviewSessionStarted' },
  },
  GetPreviewRecord: {
    target: 'campaign',
    params: { campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'PreviewRecord', record: true },
  },
  EndPreviewSession: {
    target: 'campaign',
    params: { campaignName: R, applicationId: R, devicePath: R, referenceId: O },
    answer: { kind: 'ack', type: 'PreviewSessionEnded' },
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATION_TABLE;

/** The operations each action node offers (the first is its default). */
export const NODE_OPERATIONS = {
  'gws-complete-record': ['CompleteRecord'],
  'gws-get-chained-record': ['GetChainedRecord'],
  'gws-outbound-record': ['RejectRecord', 'RescheduleRecord', 'DoNotCallRecord', 'UpdateRecord', 'AddRecord', 'CompleteRecord', 'GetChainedRecord'],
  'gws-outbound-campaign': ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession'],
} as const satisfies Record<string, readonly OperationName[]>;

export type ActionNodeType = keyof typeof NODE_OPERATIONS;

/** The parameters of an operation, in dialog order. */
export function operationParams(operation: OperationName): ParamName[] {
  const params: Readonly<Partial<Record<ParamName, Presence>>> = OPERATION_TABLE[operation].params;
  return PARAM_NAMES.filter((name) => params[name] !== undefined);
}

/** The parameters any of `operations` takes, in dialog order (the rows of a node's dialog). */
export function paramsOf(operations: readonly OperationName[]): ParamName[] {
  const used = new Set(operations.flatMap(operationParams));
  return PARAM_NAMES.filter((name) => used.has(name));
}

/** The notificationType that ends the operation, as an error text names it. */
export function answerName(answer: Expectation): string {
  switch (answer.kind) {
    case 'ack':
      return answer.type;
    case 'ackSuffix':
      return `notification whose type ends in ${answer.suffix}`;
    case 'chain':
      return answer.end;
  }
}
