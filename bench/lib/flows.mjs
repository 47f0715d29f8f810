// The flows the benchmark deploys.
//
// "ours": http in → gws-complete-record → http response (+ Catch → 500); beside it, on the same gws-server
// node, http in → gws-outbound-record (RejectRecord set on the node) → http response, and the same two
// nodes behind one change node each that sets msg.operation (CompleteRecord for the complete record
// node, which ignores it; RejectRecord for a record operation node that reads it), so that each pair
// differs only in the node; an http in → http response
// echo (the floor: what Node-RED's HTTP path costs by itself), and two event flows, each with its own
// gws-server node (its own GWS user, so that neither the throughput runs nor the other event flow feed
// it): gws-outbound-event → bench-counter (a plain-JS counting node from bench/nodes, GET /bench/counter)
// and gws-outbound-event → a counting function node (GET /bench/events), what a user would wire.
//
// "naive": what a competent user builds without this package — core http request nodes for the REST
// calls, a function node with the `cometd` client (through cometd-nodejs-client) for the notifications,
// and function nodes that keep the pending HTTP requests in flow context, keyed by a referenceId they
// generate. It logs in (GET /api/v2/me), keeps the session cookie and the CSRF token, sends them on every
// POST, re-logs in when GWS says the CSRF token is stale, re-subscribes after every handshake (the CometD
// documentation's pattern, so a server that forgot the client is followed), and answers 504 for a request
// whose acknowledgement did not come within 10 s.

export const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';

const TAB_OURS = 'bench-ours';
const TAB_NAIVE = 'bench-naive';

export function oursFlows({ simUrl }) {
  const z = TAB_OURS;
  return [
    { id: z, type: 'tab', label: 'bench: gws nodes' },
    {
      id: 'srv-ops', type: 'gws-server', name: 'GWS (throughput)', baseUrl: simUrl, useSimulator: false,
      devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', ackTimeout: '10000', callResultFormat: 'name',
    },
    {
      id: 'srv-events', type: 'gws-server', name: 'GWS (events → counter)', baseUrl: simUrl, useSimulator: false,
      devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', ackTimeout: '10000', callResultFormat: 'name',
    },
    {
      id: 'srv-events-fn', type: 'gws-server', name: 'GWS (events → function)', baseUrl: simUrl, useSimulator: false,
      devicePath: DEVICE, applicationId: '134', campaignName: 'Campaign1', ackTimeout: '10000', callResultFormat: 'name',
    },
    // CompleteRecord over HTTP
    { id: 'ours-in', z, type: 'http in', name: '', url: '/bench/ours', method: 'post', upload: false, wires: [['ours-cr']] },
    { id: 'ours-cr', z, type: 'gws-complete-record', name: '', server: 'srv-ops', waitForAck: true, wires: [['ours-out']] },
    { id: 'ours-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
    // RejectRecord over HTTP: the record operation node, the operation set on the node
    { id: 'rec-in', z, type: 'http in', name: '', url: '/bench/record', method: 'post', upload: false, wires: [['rec-op']] },
    { id: 'rec-op', z, type: 'gws-outbound-record', name: '', server: 'srv-ops', operation: 'RejectRecord', waitForAck: true, wires: [['rec-out']] },
    { id: 'rec-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
    // The same two nodes behind a change node that sets msg.operation: RejectRecord read from msg.operation,
    // and its control, CompleteRecord through the complete record node behind the same kind of change node
    { id: 'recmsg-in', z, type: 'http in', name: '', url: '/bench/record-msg', method: 'post', upload: false, wires: [['recmsg-set']] },
    { id: 'recmsg-set', z, type: 'change', name: '', rules: setOperation('RejectRecord'), action: '', property: '', from: '', to: '', reg: false, wires: [['recmsg-op']] },
    { id: 'recmsg-op', z, type: 'gws-outbound-record', name: '', server: 'srv-ops', operation: 'msg', waitForAck: true, wires: [['recmsg-out']] },
    { id: 'recmsg-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
    { id: 'crmsg-in', z, type: 'http in', name: '', url: '/bench/ours-msg', method: 'post', upload: false, wires: [['crmsg-set']] },
    { id: 'crmsg-set', z, type: 'change', name: '', rules: setOperation('CompleteRecord'), action: '', property: '', from: '', to: '', reg: false, wires: [['crmsg-cr']] },
    { id: 'crmsg-cr', z, type: 'gws-complete-record', name: '', server: 'srv-ops', waitForAck: true, wires: [['crmsg-out']] },
    { id: 'crmsg-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
    { id: 'ours-catch', z, type: 'catch', name: '', scope: ['ours-cr', 'rec-op', 'recmsg-op', 'crmsg-cr'], uncaught: false, wires: [['ours-err']] },
    {
      id: 'ours-err', z, type: 'function', name: 'error → 500', outputs: 1,
      func: "msg.statusCode = 500;\nmsg.payload = { error: msg.error && msg.error.message };\nreturn msg;", wires: [['ours-out']],
    },
    // The floor: Node-RED's HTTP in/out path alone
    { id: 'echo-in', z, type: 'http in', name: '', url: '/bench/echo', method: 'post', upload: false, wires: [['echo-out']] },
    { id: 'echo-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
    // Event node → counter node; event node → counting function
    { id: 'ev', z, type: 'gws-outbound-event', name: '', server: 'srv-events', channel: '/v2/me/outbound', notificationTypes: '', correlated: 'all', wires: [['ev-counter']] },
    { id: 'ev-counter', z, type: 'bench-counter', name: '', wires: [] },
    { id: 'ev-fn', z, type: 'gws-outbound-event', name: '', server: 'srv-events-fn', channel: '/v2/me/outbound', notificationTypes: '', correlated: 'all', wires: [['ev-count']] },
    { id: 'ev-count', z, type: 'function', name: 'count', outputs: 1, func: COUNT_FUNCTION, wires: [] },
    { id: 'ev-report-in', z, type: 'http in', name: '', url: '/bench/events', method: 'get', upload: false, wires: [['ev-report']] },
    { id: 'ev-report', z, type: 'function', name: 'report', outputs: 1, func: REPORT_FUNCTION, wires: [['ev-report-out']] },
    { id: 'ev-report-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

/** Change-node rules that set msg.operation. */
function setOperation(operation) {
  return [{ t: 'set', p: 'operation', pt: 'msg', to: operation, tot: 'str' }];
}

const COUNT_FUNCTION = `
const b = msg.payload && msg.payload.bench;
if (!b) return null;
let ev = flow.get('events');
if (!ev) { ev = { tags: {} }; flow.set('events', ev); }
const at = Date.now();
let t = ev.tags[b.tag];
if (!t) t = ev.tags[b.tag] = { kind: b.kind, count: 0, unique: 0, seen: new Set(), firstAt: at, lastAt: at };
t.count++;
if (!t.seen.has(b.seq)) { t.seen.add(b.seq); t.unique++; }
t.lastAt = at;
return null;`;

const REPORT_FUNCTION = `
const ev = flow.get('events') || { tags: {} };
const tags = {};
for (const [tag, t] of Object.entries(ev.tags)) tags[tag] = { kind: t.kind, count: t.count, unique: t.unique, firstAt: t.firstAt, lastAt: t.lastAt };
msg.payload = { tags };
return msg;`;

export function oursCredentials(users) {
  return {
    'srv-ops': { username: users.ours, password: users.ours },
    'srv-events': { username: users.events, password: users.events },
    'srv-events-fn': { username: users.eventsFn, password: users.eventsFn },
  };
}

// ---------------------------------------------------------------------------------------------------
// The naive flow

const NAIVE_LOGIN_REQUEST = `
// Basic auth for every GWS request; the credentials are tab environment variables.
const authorization = 'Basic ' + Buffer.from(env.get('GWS_USER') + ':' + env.get('GWS_PASSWORD')).toString('base64');
return { method: 'GET', url: env.get('GWS_URL') + '/api/v2/me', headers: { Authorization: authorization }, authorization };`;

const NAIVE_LOGIN_STORE = `
// Keep what every POST needs: Basic auth, the session cookie and the CSRF token.
if (msg.statusCode !== 200 || !msg.payload || msg.payload.statusCode !== 0) {
    node.status({ fill: 'red', shape: 'ring', text: 'login failed: ' + msg.statusCode });
    node.warn('GWS login failed: HTTP ' + msg.statusCode);
    return null;
}
const cookies = msg.responseCookies || {};
const session = {
    authorization: msg.authorization,
    cookie: Object.keys(cookies).map((name) => name + '=' + cookies[name].value).join('; '),
    csrfHeader: msg.headers['x-csrf-header'] || 'X-CSRF-TOKEN',
    csrfToken: msg.headers['x-csrf-token'],
};
flow.set('session', session);
node.status({ fill: 'green', shape: 'dot', text: 'logged in' });
return { topic: 'session', session };`;

const NAIVE_SEND = `
// An HTTP request asks for CompleteRecord: remember it under a new referenceId, then POST.
const session = flow.get('session');
if (!session || !flow.get('subscribed')) {
    msg.statusCode = 503;
    msg.payload = { error: 'not connected to GWS yet' };
    return [null, msg];
}
let pending = flow.get('pending');
if (!pending) { pending = new Map(); flow.set('pending', pending); }
const p = msg.payload || {};
const referenceId = RED.util.generateId();
pending.set(referenceId, { msg, at: Date.now() });
const headers = { 'Content-Type': 'application/json', Authorization: session.authorization, Cookie: session.cookie };
if (session.csrfToken) headers[session.csrfHeader] = session.csrfToken;
const body = {
    operationName: 'CompleteRecord',
    applicationId: 134,
    campaignName: 'Campaign1',
    callingList: p.callingList,
    devicePath: env.get('GWS_DEVICE'),
    referenceId,
};
if (p.callResult) body.callResult = p.callResult;
return [{
    method: 'POST',
    url: env.get('GWS_URL') + '/api/v2/me/outbound-records/' + encodeURIComponent(p.recordHandle),
    headers,
    payload: body,
    referenceId,
}, null];`;

const NAIVE_ACCEPTED = `
// GWS answered the POST. statusCode 0: accepted, the answer comes over CometD. Anything else: fail now.
if (msg.statusCode === 200 && msg.payload && msg.payload.statusCode === 0) return null;
const pending = flow.get('pending');
const entry = pending && pending.get(msg.referenceId);
const stale = msg.statusCode === 403 && /csrf/i.test(JSON.stringify(msg.payload));
const relogin = stale ? { topic: 'relogin' } : null;
if (!entry) return [null, relogin];
pending.delete(msg.referenceId);
const out = entry.msg;
out.statusCode = 502;
out.payload = { error: 'GWS refused CompleteRecord: HTTP ' + msg.statusCode + ' ' + JSON.stringify(msg.payload) };
return [out, relogin];`;

const NAIVE_COMETD_START = `
// One CometD client for the flow (cometd + cometd-nodejs-client, loaded through this node's modules).
nodeAdapter.adapt();
const client = new cometdLib.CometD();
context.set('cometd', client);
context.set('started', false);
flow.set('subscribed', false);

function answer(message) {
    const data = message.data || {};
    const pending = flow.get('pending');
    const entry = pending && data.referenceId !== undefined && pending.get(String(data.referenceId));
    if (!entry) return;
    pending.delete(String(data.referenceId));
    const out = entry.msg;
    if (data.notificationType === 'RecordProcessedAcknowledge') {
        out.payload = data;
    } else {
        out.statusCode = 502;
        out.payload = { error: 'GWS answered ' + data.notificationType, data };
    }
    node.send(out, false);
}

// Subscribe again after every handshake: CometD drops subscriptions when it handshakes again.
client.addListener('/meta/handshake', (reply) => {
    if (!reply.successful) {
        flow.set('subscribed', false);
        node.status({ fill: 'red', shape: 'ring', text: 'handshake failed' });
        return;
    }
    client.subscribe('/v2/me/outbound', answer, (sub) => {
        flow.set('subscribed', sub.successful === true);
        node.status(sub.successful ? { fill: 'green', shape: 'dot', text: 'subscribed' } : { fill: 'red', shape: 'ring', text: 'subscribe failed' });
    });
});

// Requests whose answer never came: 504 after 10 s.
setInterval(() => {
    const pending = flow.get('pending');
    if (!pending) return;
    const limit = Date.now() - 10000;
    for (const [referenceId, entry] of pending) {
        if (entry.at > limit) continue;
        pending.delete(referenceId);
        entry.msg.statusCode = 504;
        entry.msg.payload = { error: 'no acknowledgement within 10 s', referenceId };
        node.send(entry.msg, false);
    }
}, 1000);`;

const NAIVE_COMETD_INPUT = `
// The login flow hands over the session: handshake once; CometD handshakes again by itself when needed.
const client = context.get('cometd');
if (msg.topic !== 'session' || context.get('started')) return null;
context.set('started', true);
client.configure({
    url: env.get('GWS_URL') + '/api/v2/notifications',
    requestHeaders: { Authorization: msg.session.authorization, Cookie: msg.session.cookie },
    logLevel: 'warn',
});
client.handshake();
return null;`;

const NAIVE_COMETD_CLOSE = `
const client = context.get('cometd');
if (client) client.disconnect();
flow.set('subscribed', false);`;

export function naiveFlows({ simUrl, user }) {
  const z = TAB_NAIVE;
  return [
    {
      id: z, type: 'tab', label: 'bench: naive (core nodes)',
      env: [
        { name: 'GWS_URL', value: simUrl, type: 'str' },
        { name: 'GWS_USER', value: user, type: 'str' },
        { name: 'GWS_PASSWORD', value: user, type: 'str' },
        { name: 'GWS_DEVICE', value: DEVICE, type: 'str' },
      ],
    },
    // login: at start and whenever the CSRF token is stale
    { id: 'nv-start', z, type: 'inject', name: 'login at start', props: [], repeat: '', crontab: '', once: true, onceDelay: 0.1, topic: '', wires: [['nv-login-req']] },
    { id: 'nv-login-req', z, type: 'function', name: 'GET /api/v2/me', outputs: 1, func: NAIVE_LOGIN_REQUEST, wires: [['nv-login-http']] },
    {
      id: 'nv-login-http', z, type: 'http request', name: 'login', method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', tls: '',
      persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [['nv-login-store']],
    },
    { id: 'nv-login-store', z, type: 'function', name: 'keep cookie + CSRF', outputs: 1, func: NAIVE_LOGIN_STORE, wires: [['nv-cometd']] },
    // requests
    { id: 'nv-in', z, type: 'http in', name: '', url: '/bench/naive', method: 'post', upload: false, wires: [['nv-send']] },
    { id: 'nv-send', z, type: 'function', name: 'remember + POST', outputs: 2, func: NAIVE_SEND, wires: [['nv-http'], ['nv-out']] },
    {
      id: 'nv-http', z, type: 'http request', name: 'POST outbound-records', method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', tls: '',
      persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [['nv-accepted']],
    },
    { id: 'nv-accepted', z, type: 'function', name: 'accepted?', outputs: 2, func: NAIVE_ACCEPTED, wires: [['nv-out'], ['nv-login-req']] },
    // notifications
    {
      id: 'nv-cometd', z, type: 'function', name: 'CometD', outputs: 1, func: NAIVE_COMETD_INPUT, initialize: NAIVE_COMETD_START, finalize: NAIVE_COMETD_CLOSE,
      libs: [{ var: 'cometdLib', module: 'cometd' }, { var: 'nodeAdapter', module: 'cometd-nodejs-client' }], wires: [['nv-out']],
    },
    { id: 'nv-out', z, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] },
  ];
}
