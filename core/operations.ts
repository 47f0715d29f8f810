/**
 * The two outbound operations: which parameters they take, how each is checked and converted, the
 * request body and path, and what answer to wait for. A bad parameter is reported here, naming the
 * field, before anything is sent.
 */
import { randomUUID } from 'node:crypto';
import { parseCallResult, type CallResultFormat } from './call-results.js';
import type { Expectation } from './correlator.js';
import { GwsError, showValue, type GwsErrorCode } from './errors.js';
import type { OperationBody, OperationName } from './wire-types.js';

export type ParamName =
  | 'recordHandle'
  | 'applicationId'
  | 'campaignName'
  | 'callingList'
  | 'callResult'
  | 'phoneNumber'
  | 'devicePath'
  | 'referenceId';

/** Raw values, as a node resolved them from its properties, msg.payload and the server defaults. */
export type OperationInput = Partial<Record<ParamName, unknown>>;

interface OperationSpec {
  params: readonly ParamName[];
  required: readonly ParamName[];
  expect: Expectation;
}

export const OPERATIONS: Record<OperationName, OperationSpec> = {
  CompleteRecord: {
    params: ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'callResult', 'phoneNumber', 'devicePath', 'referenceId'],
    required: ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'devicePath'],
    expect: { kind: 'ack', notificationType: 'RecordProcessedAcknowledge' },
  },
  GetChainedRecord: {
    params: ['recordHandle', 'applicationId', 'campaignName', 'devicePath', 'referenceId'],
    required: ['recordHandle', 'applicationId', 'campaignName', 'devicePath'],
    expect: { kind: 'chain', endType: 'ChainedRecordsDataEnd' },
  },
};

/** Parameters that fall back to a default of the server node. */
export const PARAMS_WITH_DEFAULT: readonly ParamName[] = ['devicePath', 'applicationId', 'campaignName'];

export const LIMITS = {
  text: 1024,
  recordHandle: 256,
  referenceId: 256,
  phoneNumber: 64,
  devicePath: 512,
} as const;

const DEVICE_PATH = /^\/devices\/[A-Za-z0-9._~:@-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface PreparedRequest {
  operationName: OperationName;
  /** As given: a number stays a number (the acknowledgement's record carries it that way too). */
  recordHandle: string | number;
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

export function prepareRequest(operationName: OperationName, input: OperationInput, options: PrepareOptions = {}): PreparedRequest {
  const spec = OPERATIONS[operationName];
  const fail = (code: GwsErrorCode, param: ParamName, extra: Record<string, string | number> = {}): never => {
    throw new GwsError(code, { operation: operationName, param, ...extra }, { statusCode: 1, reason: 'invalid' });
  };
  for (const param of spec.required) {
    if (isUnset(input[param])) fail(PARAMS_WITH_DEFAULT.includes(param) ? 'missingWithDefault' : 'missing', param);
  }

  const recordHandle = readRecordHandle(input.recordHandle, fail);
  const applicationId = readInteger(input.applicationId, 'applicationId', fail);
  const campaignName = readText(input.campaignName, 'campaignName', LIMITS.text, fail);
  const devicePath = readText(input.devicePath, 'devicePath', LIMITS.devicePath, fail);
  if (!DEVICE_PATH.test(devicePath)) fail('badDevicePath', 'devicePath', { value: showValue(devicePath) });
  const referenceId = isUnset(input.referenceId) ? randomUUID() : readText(input.referenceId, 'referenceId', LIMITS.referenceId, fail);

  let body: OperationBody;
  if (operationName === 'CompleteRecord') {
    const callingList = readText(input.callingList, 'callingList', LIMITS.text, fail);
    body = { operationName, devicePath, callingList, applicationId, campaignName, referenceId };
    if (!isUnset(input.callResult)) {
      const callResult = parseCallResult(input.callResult);
      if (callResult === undefined) fail('unknownCallResult', 'callResult', { value: showValue(input.callResult) });
      else body.callResult = options.callResultFormat === 'number' ? callResult.code : callResult.name;
    }
    if (!isUnset(input.phoneNumber)) body.phoneNumber = readText(input.phoneNumber, 'phoneNumber', LIMITS.phoneNumber, fail);
  } else {
    body = { operationName, devicePath, applicationId, campaignName, referenceId };
  }
  return {
    operationName,
    recordHandle,
    referenceId,
    path: recordPath(String(recordHandle)),
    body,
    expect: spec.expect,
  };
}

/** The record handle as one path segment: `/`, `?`, `#` and spaces can never reach another resource. */
export function recordPath(recordHandle: string): string {
  return `/api/v2/me/outbound-records/${encodeURIComponent(recordHandle)}`;
}

type Fail = (code: GwsErrorCode, param: ParamName, extra?: Record<string, string | number>) => never;

function readRecordHandle(value: unknown, fail: Fail): string | number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    return fail('badRecordHandle', 'recordHandle', { value: showValue(value) });
  }
  if (typeof value !== 'string' || value.trim() === '') return fail('badRecordHandle', 'recordHandle', { value: showValue(value) });
  // "." and ".." would be folded away by URL normalisation, even percent-encoded.
  if (value === '.' || value === '..') return fail('dotRecordHandle', 'recordHandle');
  if (value.length > LIMITS.recordHandle) return fail('tooLong', 'recordHandle', { length: value.length, max: LIMITS.recordHandle });
  if (CONTROL.test(value)) return fail('controlCharacters', 'recordHandle');
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
  if (text.length > max) return fail('tooLong', param, { length: text.length, max });
  if (CONTROL.test(text)) return fail('controlCharacters', param);
  return text;
}
