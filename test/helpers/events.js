'use strict';
/**
 * Helpers for the gws-outbound-event flow tests: what a helper node received, every status a node
 * showed (including those set while the flow was starting), and the notifications the simulator pushes.
 */
const { helper } = require('./flow');
const { DEVICE } = require('./index');

const STATUS = 'node-red-contrib-gws-outbound/gws-server:status.';
const OUTBOUND = '/v2/me/outbound';
const INTERNAL = '/me/internal';

/** Every message that arrives at helper node `id` from now on, in arrival order. */
function collect(id) {
  const list = [];
  helper.getNode(id).on('input', (msg) => list.push(msg));
  return list;
}

/**
 * Every status node `id` showed since the flow was loaded, oldest first. The test helper makes
 * Node.prototype.status a Sinon spy on load, so this also holds the statuses set in the constructor.
 */
function statusHistory(id) {
  const node = helper.getNode(id);
  return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
}

/** The short name of the last status of node `id` (`connected`, `unreachable`, ...). */
function lastStatus(id) {
  const last = statusHistory(id).at(-1);
  return last && typeof last.text === 'string' ? last.text.replace(STATUS, '') : undefined;
}

/** Status names of node `id`, consecutive repeats folded. */
function statusNames(id, from = 0) {
  const names = statusHistory(id).slice(from).map((s) => s.text.replace(STATUS, ''));
  return names.filter((name, i) => i === 0 || names[i - 1] !== name);
}

/** An unsolicited outbound record message (as a preview campaign pushes it). */
function outboundMessage(recordHandle, notificationType = 'PreviewRecord', extra = {}) {
  return {
    channel: OUTBOUND,
    data: {
      record: { campaignName: 'Campaign1', devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle },
      notificationType,
      messageType: 'OutboundRecordMessage',
      ...extra,
    },
  };
}

/** A DeviceUserEventMessage on /me/internal, in the shape of the seed page. */
function userEventMessage(recordHandle, userEvent = 'RecordProcessedAcknowledge') {
  return {
    channel: INTERNAL,
    data: {
      metrics: { eventProcessing: { serverGenerationTimestamp: Date.now(), nodeProcessingTimeNanos: 1000, serverProcessingTimeTotalMs: 1 } },
      userData: {
        GSW_CALLING_LIST: 'CallingList1',
        GSW_APPLICATION_ID: 134,
        GSW_RECORD_HANDLE: recordHandle,
        GSW_USER_EVENT: userEvent,
        GSW_CALL_RESULT: 33,
        GSW_CAMPAIGN_NAME: 'Campaign1',
      },
      deviceId: DEVICE.slice('/devices/'.length),
      messageType: 'DeviceUserEventMessage',
    },
  };
}

/** Record handles of collected messages (`msg.payload.record.recordHandle`, else the user event's handle). */
function handles(messages) {
  return messages.map((msg) => msg.payload.record?.recordHandle ?? msg.payload.userData?.GSW_RECORD_HANDLE);
}

/** `count` numbers from `from` on. */
function range(from, count) {
  return Array.from({ length: count }, (_, i) => from + i);
}

module.exports = { STATUS, OUTBOUND, INTERNAL, collect, statusHistory, lastStatus, statusNames, outboundMessage, userEventMessage, handles, range };
