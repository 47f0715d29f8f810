/**
 * Turning the values a node resolved into one request: every parameter of the operation is checked and
 * converted as its kind in the operation table says, the body holds exactly the parameters the
 * operation sends, and the path carries the record handle or the campaign name as one encoded segment.
 * A bad parameter is reported here, naming the field, before anything is sent (statusCode 1).
 */
import { randomUUID } from 'node:crypto';
import { types } from 'node:util';
import { parseCallResult, type CallResultFormat } from './call-results.js';
import { choiceParams, GwsError, showValue, type GwsErrorCode } from './errors.js';
import { serverText } from './server-text.js';
import {
  OPERATION_TABLE,
  PARAMS,
  operationParams,
  type Expectation,
  type OperationName,
  type ParamName,
  type ParamSpec,
} from './operation-table.js';
import type { OperationBody } from './wire-types.js';

export type { Expectation, OperationName, ParamName } from './operation-table.js';

/** Raw values, as a node resolved them from its properties, msg.payload and the server defaults. */
export type OperationInput = Partial<Record<ParamName, unknown>>;

/** Parameters that fall back to a default of the server node. */
export const PARAMS_WITH_DEFAULT: readonly ParamName[] = (Object.keys(PARAMS) as ParamName[]).filter(
  (name) => (PARAMS[name] as ParamSpec).serverDefault === true,
);

const DEVICE_PATH = /^\/devices\/[A-Za-z0-9._~:@-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A timestamp above this many seconds (the year 5138) is taken for milliseconds given by mistake. */
const MAX_TIMESTAMP_SECONDS = 1e11;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_OTHER_FIELDS = 200;
const MAX_FIELD_NAME = 128;
const MAX_FIELD_VALUE = 1024;

export interface PreparedRequest {
  operationName: OperationName;
  /** As given: a number stays a number (the acknowledgement's record carries it that way too). Absent for AddRecord and campaign operations. */
  recordHandle?: string | number;
  /** For campaign operations: the campaign named in the path. */
  campaignName?: string;
  referenceId: string;
  path: string;
  body: OperationBody;
  expect: Expectation;
}

export interface PrepareOptions {
  callResultFormat?: CallResultFormat;
}

/** Missing, null and '' count as absent. */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && Object.hasOwn(OPERATION_TABLE, value);
}

type Fail = (code: GwsErrorCode, param: ParamName, extra?: Record<string, string | number>) => never;

export function prepareRequest(operationName: OperationName, input: OperationInput, options: PrepareOptions = {}): PreparedRequest {
  const spec = OPERATION_TABLE[operationName];
  const presence: Partial<Record<ParamName, string>> = spec.params;
  const fail: Fail = (code, param, extra = {}) => {
    throw new GwsError(code, { operation: operationName, param, ...extra }, { statusCode: 1, reason: 'invalid' });
  };
  const names = operationParams(operationName);
  for (const param of names) {
    if (presence[param] === 'required' && param !== 'referenceId' && isUnset(input[param])) {
      fail(PARAMS_WITH_DEFAULT.includes(param) ? 'missingWithDefault' : 'missing', param);
    }
  }
  const values: Partial<Record<ParamName, unknown>> = {};
  for (const param of names) {
    const value = input[param];
    // An optional referenceId of blanks is as good as none: one is generated.
    if (param === 'referenceId') values.referenceId = isUnset(value) || (typeof value === 'string' && value.trim() === '') ? randomUUID() : readParam(param, value, options, fail);
    else if (!isUnset(value)) values[param] = readParam(param, value, options, fail);
  }
  const referenceId = values.referenceId as string;

  // The body: operationName, the parameters in table order, referenceId last (as in the documented
  // samples); path parameters stay out of it.
  const fields: Record<string, unknown> = { operationName };
  let path: string;
  switch (spec.target) {
    case 'record':
      path = `/api/v2/me/outbound-records/${segment(values.recordHandle as string | number, 'recordHandle', fail)}`;
      break;
    case 'records':
      path = '/api/v2/me/outbound-records';
      break;
    case 'campaign':
      path = `/api/v2/me/outbound-campaigns/${segment(values.campaignName as string, 'campaignName', fail)}`;
      break;
  }
  for (const param of names) {
    if (param === 'referenceId' || values[param] === undefined) continue;
    if (spec.target === 'record' && param === 'recordHandle') continue;
    if (spec.target === 'campaign' && param === 'campaignName') continue;
    fields[param] = values[param];
  }
  fields.referenceId = referenceId;
  const body = fields as unknown as OperationBody;

  const request: PreparedRequest = { operationName, referenceId, path, body, expect: spec.answer };
  if (values.recordHandle !== undefined) request.recordHandle = values.recordHandle as string | number;
  if (spec.target === 'campaign') request.campaignName = values.campaignName as string;
  return request;
}

/** The record handle as one path segment: `/`, `?`, `#` and spaces can never reach another resource. */
export function recordPath(recordHandle: string | number): string {
  return `/api/v2/me/outbound-records/${encodeURIComponent(String(recordHandle))}`;
}

/** One encoded path segment; "." and ".." would be folded away by URL normalisation, even percent-encoded. */
function segment(value: string | number, param: ParamName, fail: Fail): string {
  const text = String(value);
  if (text === '.' || text === '..') return fail('dotSegment', param);
  return encodeURIComponent(text);
}

function readParam(param: ParamName, value: unknown, options: PrepareOptions, fail: Fail): unknown {
  const spec: ParamSpec = PARAMS[param];
  switch (spec.kind) {
    case 'handle':
      return readRecordHandle(value, spec.max ?? 256, fail);
    case 'integer':
      return readInteger(value, param, fail);
    case 'text':
    case 'referenceId':
      return readText(value, param, spec.max ?? 1024, fail);
    case 'devicePath': {
      const devicePath = readText(value, param, spec.max ?? 512, fail);
      if (!DEVICE_PATH.test(devicePath)) fail('badDevicePath', param, { value: showValue(devicePath) });
      return devicePath;
    }
    case 'callResult': {
      const callResult = parseCallResult(value);
      if (callResult === undefined) return fail('unknownCallResult', param, { value: showValue(value) });
      return options.callResultFormat === 'number' ? callResult.code : callResult.name;
    }
    case 'enum':
      return readEnum(value, param, spec.values ?? [], fail);
    case 'timestamp':
      return readTimestamp(value, param, fail);
    case 'object':
      return readFields(value, param, fail);
  }
}

function readRecordHandle(value: unknown, max: number, fail: Fail): string | number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    return fail('badRecordHandle', 'recordHandle', { value: showValue(value) });
  }
  if (typeof value !== 'string' || value.trim() === '') return fail('badRecordHandle', 'recordHandle', { value: showValue(value) });
  if (value === '.' || value === '..') return fail('dotSegment', 'recordHandle');
  checkText(value, 'recordHandle', max, fail);
  return value;
}

function readInteger(value: unknown, param: ParamName, fail: Fail): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)) return Number(value.trim());
  return fail('notInteger', param, { value: showValue(value) });
}

function readText(value: unknown, param: ParamName, max: number, fail: Fail): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return fail('notText', param, { value: showValue(value) });
  if (text.trim() === '') return fail(PARAMS_WITH_DEFAULT.includes(param) ? 'missingWithDefault' : 'missing', param);
  checkText(text, param, max, fail);
  return text;
}

/** Length, control characters, and text that is not valid Unicode (a lone surrogate cannot be encoded in a URL or sent as UTF-8). */
function checkText(text: string, param: ParamName, max: number, fail: Fail): void {
  if (text.length > max) fail('tooLong', param, { length: text.length, max });
  if (CONTROL.test(text)) fail('controlCharacters', param);
  if (!text.isWellFormed()) fail('notUnicode', param);
}

function readEnum(value: unknown, param: ParamName, allowed: readonly string[], fail: Fail): string {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const match = text === undefined ? undefined : allowed.find((entry) => entry.toLowerCase() === text);
  return match ?? fail('notOneOf', param, { ...choiceParams(allowed), value: showValue(value) });
}

/** Seconds since 1970 from an integer, a string of digits, a Date (of any JavaScript context) or ISO-8601 text. */
function readTimestamp(value: unknown, param: ParamName, fail: Fail): number {
  let seconds: number | undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value))) {
    const number = typeof value === 'number' ? value : Number(value.trim());
    if (Number.isSafeInteger(number) && number >= 0) {
      if (number >= MAX_TIMESTAMP_SECONDS) return fail('timestampMillis', param, { value: showValue(value) });
      seconds = number;
    }
  } else if (typeof value === 'string' && ISO_8601.test(value.trim())) {
    const [, year, month, day] = ISO_8601.exec(value.trim()) as RegExpExecArray;
    // Date.parse moves a day the month does not have (2026-02-30) into the next month.
    const ms = Number(day) <= daysInMonth(Number(year), Number(month)) ? Date.parse(value.trim()) : NaN;
    if (Number.isFinite(ms)) seconds = Math.floor(ms / 1000);
  } else if (types.isDate(value)) {
    // A Date of any JavaScript context; an object that only claims to be one (Symbol.toStringTag) is not.
    const ms = Date.prototype.getTime.call(value);
    if (Number.isFinite(ms)) seconds = Math.floor(ms / 1000);
  }
  if (seconds === undefined || seconds < 0) return fail('badTimestamp', param, { value: showValue(value) });
  return seconds;
}

/** User fields of a record: a plain copy of an object (of any JavaScript context) whose values are text, numbers or booleans. */
function readFields(value: unknown, param: ParamName, fail: Fail): Record<string, string | number | boolean> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.prototype.toString.call(value) !== '[object Object]') {
    return fail('notObject', param, { value: showValue(value) });
  }
  let entries: Array<[string, unknown]>;
  try {
    entries = Object.entries(value);
  } catch (error) {
    // A getter that throws, a Proxy whose traps throw: the message cannot be sent as it is.
    return fail('unreadable', param, { detail: thrownText(error) });
  }
  if (entries.length > MAX_OTHER_FIELDS) return fail('tooManyFields', param, { count: entries.length, max: MAX_OTHER_FIELDS });
  for (const [name, field] of entries) {
    if (name === '' || name.length > MAX_FIELD_NAME || CONTROL.test(name) || !name.isWellFormed()) {
      return fail('badFieldName', param, { field: showValue(name) });
    }
    const ok =
      (typeof field === 'string' && field.length <= MAX_FIELD_VALUE && field.isWellFormed()) ||
      (typeof field === 'number' && Number.isFinite(field)) ||
      typeof field === 'boolean';
    if (!ok) return fail('badFieldValue', param, { field: name.slice(0, 60), value: showValue(field) });
  }
  // fromEntries defines own properties: a field named __proto__ stays a field.
  return Object.fromEntries(entries) as Record<string, string | number | boolean>;
}

/** What a getter or Proxy trap threw, as a short line (an error of another JavaScript context too). */
function thrownText(error: unknown): string {
  try {
    const message = error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : String(error);
    return serverText(message, 200);
  } catch {
    return 'unreadable error';
  }
}

/** Days of `month` (1-12) in `year`, leap years included. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
