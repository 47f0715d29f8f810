/**
 * Typed errors of the protocol core. Each carries a code, the parameters of its text and what is
 * known about the exchange (GWS statusCode, HTTP status, referenceId). The English texts below are the
 * reference; the node catalogs hold the same texts under `errors.<code>` and translate them.
 */

export const ERROR_TEXTS = {
  missing: '__operation__ not sent: __param__ is missing (set it on the node or in msg.payload.__param__)',
  missingWithDefault:
    '__operation__ not sent: __param__ is missing (set it on the node, in msg.payload.__param__ or as a default on the server node)',
  notInteger: '__operation__ not sent: __param__ must be a non-negative integer (a number or a string of up to 15 digits), got __value__',
  propertyEmpty: '__operation__ not sent: __param__ is missing: the node reads it from __source__, which gave nothing',
  payloadNotObject:
    '__operation__ not sent: __param__ is missing: msg.payload is __kind__, not an object (JSON text needs a JSON node first; or set __param__ on the node)',
  dotSegment: '__operation__ not sent: __param__ must not be . or .. (in the URL they would address another resource)',
  notUnicode: '__operation__ not sent: __param__ is not valid Unicode text (it holds a lone surrogate code unit)',
  notOneOf: '__operation__ not sent: __param__ must be __allowed__, got __value__',
  badTimestamp:
    '__operation__ not sent: __param__ must be seconds since 1970 (a whole number), a Date or ISO-8601 text such as 2026-12-24T09:30:00Z, got __value__',
  timestampMillis: '__operation__ not sent: __param__ __value__ looks like milliseconds; give seconds since 1970 (divide by 1000) or a Date',
  notObject: '__operation__ not sent: __param__ must be an object of user fields such as {"customer_id": "C-17"}, got __value__',
  tooManyFields: '__operation__ not sent: __param__ has __count__ fields, at most __max__',
  badFieldName: '__operation__ not sent: __param__ has a field name that cannot be sent: __field__',
  badFieldValue: '__operation__ not sent: __param__.__field__ must be text (up to 1024 characters), a number or a boolean, got __value__',
  unreadable: '__operation__ not sent: __param__ could not be read from the message (__detail__)',
  unknownOperation: '__operation__ not sent: msg.operation must be one of __allowed__, got __value__',
  badOperationSetting: "__operation__ not sent: the node's operation __value__ is not one of __allowed__ (open the node and pick one)",
  emptyPreviewRecord:
    '__operation__ failed: GWS answered PreviewRecord without a record: the calling lists of campaign __campaign__ have no record to preview now (referenceId __referenceId__)',
  notText: '__operation__ not sent: __param__ must be text, got __value__',
  tooLong: '__operation__ not sent: __param__ is too long (__length__ characters, at most __max__)',
  badRecordHandle:
    '__operation__ not sent: recordHandle must be a non-empty string or a non-negative integer, got __value__',
  controlCharacters: '__operation__ not sent: __param__ must not contain control characters such as line breaks',
  badDevicePath: '__operation__ not sent: devicePath must look like /devices/<device id>, got __value__',
  unknownCallResult: '__operation__ not sent: callResult must be an OCS call result (a name such as Answer or a number from 0 to 53), got __value__',
  duplicateReference:
    '__operation__ not sent: referenceId __value__ is already waiting for its answer (give every request its own referenceId, or leave it empty to have one generated)',
  noConnection: '__operation__ not sent: no connection to GWS within __timeout__ ms (__reason__)',
  notConfigured: '__operation__ not sent: the node has no GWS server configured (pick a gws-server in its settings)',
  badConfig: '__operation__ not sent: the GWS server node is not usable: __detail__',
  badExpression: '__operation__ not sent: __param__ could not be evaluated (__detail__)',
  closedBeforeSend: '__operation__ not sent: node closed before the request was sent',
  rejected: '__operation__ rejected by GWS: statusCode __statusCode__ (__meaning__): __detail__',
  rejectedNoDetail: '__operation__ rejected by GWS: statusCode __statusCode__ (__meaning__)',
  authFailed:
    '__operation__ failed: GWS refused the credentials (HTTP __httpStatus__, statusCode __statusCode__: __meaning__); check the username and password of the server node',
  httpError: '__operation__ failed: GWS answered HTTP __httpStatus__ without a statusCode (__detail__)',
  unreachable: '__operation__ failed: GWS at __url__ is unreachable (__detail__)',
  tlsFailed: '__operation__ failed: TLS certificate problem with __url__: __detail__ (give the CA of GWS to the server node through a tls-config node)',
  requestTimeout: '__operation__ failed: GWS did not answer the HTTP request within __timeout__ ms',
  badAnswer: '__operation__ failed: GWS answered HTTP __httpStatus__ with a body that is not JSON (__detail__)',
  errorNotification: '__operation__ failed: GWS answered __notificationType__ (referenceId __referenceId__): __detail__',
  userEventError: '__operation__ failed: OCS refused it: a user event reported an error instead of __expected__ (referenceId __referenceId__): __detail__',
  timeout: '__operation__ timed out: no __expected__ within __timeout__ ms (referenceId __referenceId__)',
  postTimeout: '__operation__ timed out: GWS did not answer the request within __timeout__ ms (referenceId __referenceId__)',
  closed: '__operation__ failed: node closed before the answer arrived (referenceId __referenceId__)',
  unexpected: '__operation__ failed unexpectedly: __detail__ (this is a fault of the node; please report it)',
  connectionClosed: '__operation__ failed: the connection to GWS was closed before the answer arrived (referenceId __referenceId__)',
} as const;

export type GwsErrorCode = keyof typeof ERROR_TEXTS;
export type ErrorParams = Record<string, string | number>;

/** Short reasons shown in a node's status (red ring); the catalogs translate them under `status.<reason>`. */
export type FailureReason = 'authFailed' | 'unreachable' | 'timeout' | 'serverError' | 'tlsFailed' | 'rejected' | 'invalid' | 'badConfig' | 'empty';

/** Replaces `__name__` placeholders, the interpolation syntax of Node-RED's catalogs. */
export function renderTemplate(template: string, params: ErrorParams): string {
  return template.replace(/__([A-Za-z0-9]+)__/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export interface GwsErrorDetails {
  statusCode?: number;
  httpStatus?: number;
  referenceId?: string;
  reason?: FailureReason;
  cause?: unknown;
}

export class GwsError extends Error {
  readonly code: GwsErrorCode;
  readonly params: ErrorParams;
  readonly statusCode?: number;
  readonly httpStatus?: number;
  readonly referenceId?: string;
  /** Short reason for a status display. */
  readonly reason: FailureReason;

  constructor(code: GwsErrorCode, params: ErrorParams, details: GwsErrorDetails = {}) {
    super(renderTemplate(ERROR_TEXTS[code], params), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GwsError';
    this.code = code;
    this.params = params;
    this.statusCode = details.statusCode;
    this.httpStatus = details.httpStatus;
    this.referenceId = details.referenceId;
    this.reason = details.reason ?? 'rejected';
  }

  /** The same error told for another operation (a session failure seen by CompleteRecord, say). */
  forOperation(operation: string, extra: GwsErrorDetails = {}): GwsError {
    return new GwsError(this.code, { ...this.params, operation }, {
      statusCode: this.statusCode,
      httpStatus: this.httpStatus,
      referenceId: extra.referenceId ?? this.referenceId,
      reason: this.reason,
      cause: this.cause,
    });
  }
}

/**
 * Words the core puts into error texts for values it cannot quote (the English reference; the nodes
 * translate them by key, see KIND_WORDS' use in nodes/lib/errors.ts).
 */
export const KIND_WORDS = {
  object: 'an object',
  array: 'an array',
  text: 'text',
  buffer: 'a Buffer',
  number: 'a number',
  boolean: 'a boolean',
  function: 'a function',
  symbol: 'a symbol',
  bigint: 'a bigint',
} as const;

export type Kind = keyof typeof KIND_WORDS;

/** What a value is, as one of KIND_WORDS' keys. */
export function kindOf(value: unknown): Kind {
  if (typeof value === 'string') return 'text';
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value)) return 'buffer';
  if (typeof value === 'object' || value === undefined) return 'object';
  return typeof value as Kind;
}

/** A user-supplied value as it may appear in an error text: quoted, and cut short when long. */
export function showValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = KIND_WORDS[kindOf(value)];
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Values as a list in words, "A, B or C": the last one after `or`, the others apart by `separator`. */
export function listChoices(values: readonly string[], or = 'or', separator = ', '): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(separator)} ${or} ${values[values.length - 1]}`;
}

/** Values listed in an error text as "A, B or C"; `choices` keeps them apart for a translation of "or". */
export function choiceParams(values: readonly string[]): { allowed: string; choices: string } {
  return { allowed: listChoices(values), choices: values.join('|') };
}

/** CometD and some libraries throw strings; everything leaving the core is an Error. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
