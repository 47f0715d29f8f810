/**
 * The output message of an action node (contract "Output"): msg.payload, msg.topic and msg.gws from the
 * result of an operation.
 */
import type { OperationResult } from '../../core/connection.js';
import { previewRecordFields, recordHandleOf } from '../../core/notifications.js';
import type { GwsMessageInfo, ActionPayload } from './types.js';

export interface ActionOutput {
  [key: string]: unknown;
  payload: ActionPayload;
  topic: string;
  gws: GwsMessageInfo;
}

export function outputOf(result: OperationResult, waitForAck: boolean): ActionOutput {
  const { request, accepted, answer } = result;
  const gws: GwsMessageInfo = {
    operationName: request.operationName,
    ...(request.recordHandle === undefined ? {} : { recordHandle: request.recordHandle }),
    referenceId: request.referenceId,
    statusCode: accepted.statusCode,
    request: request.body,
    elapsedMs: Math.round(result.elapsedMs * 1000) / 1000,
  };
  if (!waitForAck || answer === undefined) {
    // Rule 10: the synchronous answer, topic = the operation.
    return { payload: accepted as { statusCode: number }, topic: request.operationName, gws };
  }
  if (answer.userEvent !== undefined) gws.userEvent = answer.userEvent;
  const data = answer.data;
  const topic = String(data.notificationType);
  if (answer.records !== undefined) return { payload: { records: answer.records, end: data }, topic, gws };
  // A new record (AddRecord) has its handle only in the answer.
  if (gws.recordHandle === undefined) {
    const handle = recordHandleOf(data);
    if (handle !== undefined) gws.recordHandle = handle;
  }
  if (request.expect.kind === 'ack' && request.expect.record === true) {
    // A previewed record: what a record node wired after this one needs sits at the top of msg.payload.
    const fields = previewRecordFields(data, { campaignName: request.campaignName, applicationId: request.body.applicationId });
    if (fields.recordHandle !== undefined) gws.recordHandle = fields.recordHandle;
    return { payload: { ...data, ...fields }, topic, gws };
  }
  return { payload: data, topic, gws };
}
