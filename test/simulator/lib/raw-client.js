'use strict';
/**
 * A bare GWS client for the simulator tests: REST calls that keep the session cookie and the CSRF
 * token, and a minimal Bayeux long-poll loop, so the tests see exactly what goes over the wire.
 */
const { USER, DEVICE } = require('../../helpers');

const auth = (user = USER) => 'Basic ' + Buffer.from(`${user.username}:${user.password}`).toString('base64');

/** Logs in as `user`, handshakes, subscribes /v2/me/outbound and /me/internal and makes the first connect. */
async function rawClient(sim, user = USER) {
  let cookie = '';
  let csrf = '';
  let id = 0;
  const call = async (method, urlPath, body) => {
    const response = await fetch(sim.url + urlPath, {
      method,
      headers: { authorization: auth(user), 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0];
    if (response.headers.get('x-csrf-token')) csrf = response.headers.get('x-csrf-token');
    return { status: response.status, body: await response.json() };
  };
  await call('GET', '/api/v2/me');
  const [handshake] = (await call('POST', '/api/v2/notifications/handshake', [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: String(++id) }])).body;
  const clientId = handshake.clientId;
  await call('POST', '/api/v2/notifications', [
    { channel: '/meta/subscribe', subscription: '/v2/me/outbound', clientId, id: String(++id) },
    { channel: '/meta/subscribe', subscription: '/me/internal', clientId, id: String(++id) },
  ]);
  await call('POST', '/api/v2/notifications/connect', [{ channel: '/meta/connect', connectionType: 'long-polling', clientId, id: String(++id), advice: { timeout: 0 } }]);

  /** One long poll: the whole answer array (held until something is delivered or the advice timeout). */
  const connect = (connectId = String(++id)) => call('POST', '/api/v2/notifications/connect', [{ channel: '/meta/connect', connectionType: 'long-polling', clientId, id: connectId }]);

  /** The notifications (not the meta replies) of the next long poll. */
  async function poll() {
    const { status, body } = await connect();
    if (status !== 200) throw new Error(`long poll answered HTTP ${status}: ${JSON.stringify(body)}`);
    return body.filter((message) => !message.channel.startsWith('/meta/'));
  }

  /** Polls until `enough(seen)` holds for the notifications seen so far; fails after `timeoutMs`. */
  async function collect(enough, timeoutMs = 3000) {
    const seen = [];
    const end = Date.now() + timeoutMs;
    while (!enough(seen)) {
      if (Date.now() > end) throw new Error(`not enough notifications within ${timeoutMs} ms: ${JSON.stringify(seen)}`);
      seen.push(...(await poll()));
    }
    return seen;
  }

  return {
    call,
    connect,
    poll,
    collect,
    /** The notifications up to and including the first on /v2/me/outbound with this referenceId and type, plus what came in the same answer. */
    answerTo: (referenceId, type, timeoutMs) =>
      collect((seen) => seen.some((m) => m.data?.referenceId === referenceId && (type === undefined || m.data.notificationType === type)), timeoutMs),
    record: (handle, body) => call('POST', `/api/v2/me/outbound-records/${encodeURIComponent(handle)}`, body),
    addRecord: (body) => call('POST', '/api/v2/me/outbound-records', body),
    campaign: (name, body) => call('POST', `/api/v2/me/outbound-campaigns/${encodeURIComponent(name)}`, body),
  };
}

/** The notifications of `seen` on `channel`. */
const on = (seen, channel) => seen.filter((message) => message.channel === channel).map((message) => message.data);

/** Valid request bodies of every operation, with `extra` merged in. */
const BODIES = {
  CompleteRecord: { applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE },
  GetChainedRecord: { applicationId: 134, campaignName: 'Campaign1', devicePath: DEVICE },
  RejectRecord: { applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE },
  RescheduleRecord: { applicationId: 134, campaignName: 'Campaign1', callbackType: 'Personal', timestamp: 1433917552, devicePath: DEVICE },
  DoNotCallRecord: { applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', devicePath: DEVICE },
  UpdateRecord: { applicationId: 134, campaignName: 'Campaign1', devicePath: DEVICE },
  AddRecord: {
    applicationId: 134,
    campaignName: 'Campaign1',
    callingList: 'CallingList1',
    phoneNumber: '5550123',
    timeZone: 'GMT',
    phoneType: 'HomePhone',
    from: 28800,
    until: 64800,
    devicePath: DEVICE,
  },
  StartPreviewSession: { applicationId: 134, devicePath: DEVICE },
  GetPreviewRecord: { applicationId: 134, devicePath: DEVICE },
  EndPreviewSession: { applicationId: 134, devicePath: DEVICE },
};

const body = (operationName, extra = {}) => ({ operationName, ...BODIES[operationName], ...extra });

const RECORD_OPERATIONS = ['CompleteRecord', 'GetChainedRecord', 'RejectRecord', 'RescheduleRecord', 'DoNotCallRecord', 'UpdateRecord'];
const CAMPAIGN_OPERATIONS = ['StartPreviewSession', 'GetPreviewRecord', 'EndPreviewSession'];

module.exports = { auth, rawClient, on, body, RECORD_OPERATIONS, CAMPAIGN_OPERATIONS };
