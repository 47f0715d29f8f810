'use strict';
/**
 * Works in the flows integrators really build. Each test deploys a flow through the Admin API into one
 * real Node-RED (a child process shared by the whole file), presses its inject node (or POSTs to its
 * http in node), and checks the GWS request the simulator received (`GET /sim/requests`) and the ONE
 * output or ONE error that came back, seen through the flow itself: end nodes POST what reaches them
 * to the test's collector, a Catch node reports every error the same way.
 *
 * The messages come from where they come from in real flows: a function node (its own JavaScript
 * context), a change node, an http in node with a JSON body, JSON and template nodes, flow and global
 * context, subflow environment variables, link calls, split/join, and nodes deployed with properties
 * missing.
 */
const assert = require('node:assert/strict');
const { startSim, until, delay, DEVICE } = require('../helpers');
const { startRed, startCollector, reporter, simRequests } = require('../helpers/red');

const TAB = 'flows-tab';
const COMPLETE = 'gws-complete-record';
const CHAINED = 'gws-get-chained-record';
const ANSWER = { [COMPLETE]: 'RecordProcessedAcknowledge', [CHAINED]: 'ChainedRecordsDataEnd' };
const OPERATION = { [COMPLETE]: 'CompleteRecord', [CHAINED]: 'GetChainedRecord' };
const RECORD = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1' };
const RECORD_JS = "{ recordHandle: 12, applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1' }";
const RECORD_JSON = JSON.stringify(RECORD);
const PARAMS = {
  [COMPLETE]: ['recordHandle', 'applicationId', 'campaignName', 'callingList', 'callResult', 'phoneNumber', 'devicePath', 'referenceId'],
  [CHAINED]: ['recordHandle', 'applicationId', 'campaignName', 'devicePath', 'referenceId'],
};

/**
 * Gives every flow node a position: Node-RED treats a node without x and y as a config node (it would
 * not be wired, and the deploy fails or does not start it).
 */
function placed(flows) {
  let k = 0;
  return flows.map((n) => (n.z && !['tab', 'subflow', 'group'].includes(n.type) && !('x' in n) ? { x: 100 + 150 * (k % 6), y: 60 * (1 + Math.floor(k++ / 6)), ...n } : n));
}

/** What the request body holds for RECORD (plus the generated referenceId). */
function expectedBody(type, record = RECORD) {
  const body = { operationName: OPERATION[type], applicationId: record.applicationId, campaignName: record.campaignName, devicePath: DEVICE };
  if (type === COMPLETE) body.callingList = record.callingList;
  return body;
}

function pick(object, keys) {
  return Object.fromEntries(keys.filter((key) => Object.hasOwn(object, key)).map((key) => [key, object[key]]));
}

describe('real flows in Node-RED (deployed through the Admin API)', function () {
  this.timeout(30000);
  let sim;
  let red;
  let collector;

  before(async () => {
    sim = await startSim({
      users: {
        agent1: { password: 'agent1', firstName: 'Agent', lastName: 'One' },
        agent2: { password: 'agent2', firstName: 'Agent', lastName: 'Two' },
      },
    });
    collector = await startCollector();
    red = await startRed();
  });

  after(async () => {
    await red?.stop();
    await collector?.stop();
    await sim?.stop();
  });

  beforeEach(() => {
    collector.clear();
    sim.clearRequests();
    sim.faults.clear();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      // What Node-RED said about the flow helps more than the assertion alone.
      process.stdout.write(`    Node-RED log (last lines):\n${red.output().split('\n').slice(-15).map((l) => `      ${l}`).join('\n')}\n`);
    }
  });

  /** A gws-server node for `user` on the test's simulator, credentials as the editor deploys them. */
  function server(id = 's1', user = 'agent1', extra = {}) {
    return { id, type: 'gws-server', name: `${user} on the simulator`, baseUrl: sim.url, devicePath: DEVICE, applicationId: '', campaignName: '', ackTimeout: '', credentials: { username: user, password: user }, ...extra };
  }

  /** Deploys the tab with a Catch node (reports to /err), the servers and `nodes`. */
  async function deploy(nodes, { servers = [server()], tabs = [] } = {}) {
    const flows = [
      { id: TAB, type: 'tab', label: 'real flows' },
      ...tabs,
      ...servers,
      { id: 'catch-all', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['err']] },
      ...reporter(collector, { id: 'err', z: TAB, path: '/err' }),
      ...reporter(collector, { id: 'out', z: TAB, path: '/out' }),
      ...nodes,
    ];
    await red.deploy(placed(flows));
  }

  /** An inject node with a payload (and optionally more properties). */
  function inject(id, wires, payload, payloadType = 'json', more = []) {
    const props = [{ p: 'payload' }, ...more.map(([p, v, vt]) => ({ p, v, vt }))];
    return { id, type: 'inject', z: TAB, name: '', props, repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload, payloadType, wires: [wires] };
  }

  /** Presses `id` and resolves with the one output or the one error that came back (fails on more, or both). */
  async function run(id, { out = '/out', err = '/err', timeoutMs = 10000 } = {}) {
    await red.inject(id);
    return outcome({ out, err, timeoutMs });
  }

  async function outcome({ out = '/out', err = '/err', timeoutMs = 10000 } = {}) {
    const seen = await collector.first([out, err], timeoutMs, 300);
    const total = seen[out].length + seen[err].length;
    if (seen[err].length > 0 && seen[out].length === 0) {
      assert.equal(total, 1, `one error, got ${JSON.stringify(seen[err].map((m) => m.error?.message))}`);
      return { error: seen[err][0] };
    }
    assert.equal(total, 1, `exactly one output or one error, got ${seen[out].length} outputs and errors ${JSON.stringify(seen[err].map((m) => m.error?.message))}`);
    return { output: seen[out][0] };
  }

  /** The one output; an error fails the test with its text. */
  async function expectOutput(id, options) {
    const result = await run(id, options);
    if (result.error) assert.fail(`expected an output, got the error: ${result.error.error?.message}`);
    return result.output;
  }

  async function onlyRequest() {
    const requests = (await simRequests(sim)).filter((r) => r.path.startsWith('/api/v2/me/outbound-records'));
    assert.equal(requests.length, 1, `one request to GWS, got ${requests.length}`);
    return requests[0];
  }

  /** The request went out as expected and the output is its answer. */
  async function assertExchange(type, output, record = RECORD, user = 'agent1') {
    const request = await onlyRequest();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/api/v2/me/outbound-records/${record.recordHandle}`);
    assert.equal(request.user, user);
    assert.deepEqual(pick(request.body, ['operationName', 'applicationId', 'campaignName', 'callingList', 'devicePath']), expectedBody(type, record));
    assert.equal(typeof request.body.referenceId, 'string');
    assert.equal(output.topic, ANSWER[type]);
    if (type === COMPLETE) {
      assert.equal(output.payload.notificationType, 'RecordProcessedAcknowledge');
      assert.equal(output.payload.referenceId, request.body.referenceId);
    } else {
      assert.deepEqual(Object.keys(output.payload), ['records', 'end']);
      assert.equal(output.payload.end.notificationType, 'ChainedRecordsDataEnd');
      assert.equal(output.payload.end.referenceId, request.body.referenceId);
    }
    assert.equal(output.gws.operationName, OPERATION[type]);
    assert.equal(output.gws.statusCode, 0);
    assert.deepEqual(output.gws.request, request.body);
  }

  describe('msg.payload built in a function node', () => {
    for (const type of [COMPLETE, CHAINED]) {
      for (const [how, code] of [
        ['an object literal', `msg.payload = ${RECORD_JS};\nreturn msg;`],
        ['JSON.parse', `msg.payload = JSON.parse('${RECORD_JSON}');\nreturn msg;`],
      ]) {
        it(`inject → function (${how}) → ${type}: the request goes out and the answer comes back`, async () => {
          await deploy([
            inject('go', ['build'], '', 'date'),
            { id: 'build', type: 'function', z: TAB, name: 'build the record', func: code, outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['a']] },
            { id: 'a', type, z: TAB, server: 's1', wires: [['out']] },
          ]);
          await assertExchange(type, await expectOutput('go'));
        });
      }
    }

    it('inject → function (nested objects and arrays made in the function) → gws-complete-record', async () => {
      // The record is taken out of an array the function node built: its objects are the function's too.
      await deploy([
        inject('go', ['build'], '', 'date'),
        {
          id: 'build',
          type: 'function',
          z: TAB,
          func: `msg.payload = { records: [${RECORD_JS}] };\nmsg.payload = msg.payload.records[0];\nreturn msg;`,
          outputs: 1,
          libs: [],
          wires: [['a']],
        },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['out']] },
      ]);
      await assertExchange(COMPLETE, await expectOutput('go'));
    });
  });

  describe('msg.payload from the core nodes', () => {
    it('change node: set msg.payload to {} (JSON), then set each field → gws-complete-record', async () => {
      await deploy([
        inject('go', ['change'], '', 'date'),
        {
          id: 'change',
          type: 'change',
          z: TAB,
          name: 'record 12',
          rules: [
            { t: 'set', p: 'payload', pt: 'msg', to: '{}', tot: 'json' },
            { t: 'set', p: 'payload.recordHandle', pt: 'msg', to: '12', tot: 'num' },
            { t: 'set', p: 'payload.applicationId', pt: 'msg', to: '134', tot: 'num' },
            { t: 'set', p: 'payload.campaignName', pt: 'msg', to: 'Campaign1', tot: 'str' },
            { t: 'set', p: 'payload.callingList', pt: 'msg', to: 'CallingList1', tot: 'str' },
          ],
          action: '',
          property: '',
          from: '',
          to: '',
          reg: false,
          wires: [['a']],
        },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['out']] },
      ]);
      await assertExchange(COMPLETE, await expectOutput('go'));
    });

    it('http in with a JSON body → gws-complete-record → http response (the caller gets the acknowledgement)', async () => {
      await deploy([
        { id: 'in', type: 'http in', z: TAB, name: '', url: '/gws/complete', method: 'post', upload: false, swaggerDoc: '', wires: [['a']] },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['answer', 'out']] },
        {
          id: 'answer',
          type: 'change',
          z: TAB,
          rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"topic": topic, "referenceId": payload.referenceId, "statusCode": gws.statusCode}', tot: 'jsonata' }],
          wires: [['respond']],
        },
        { id: 'failed', type: 'catch', z: TAB, scope: ['a'], uncaught: false, wires: [['failure']] },
        {
          id: 'failure',
          type: 'change',
          z: TAB,
          rules: [
            { t: 'set', p: 'payload', pt: 'msg', to: '{"error": error.message}', tot: 'jsonata' },
            { t: 'set', p: 'statusCode', pt: 'msg', to: '502', tot: 'num' },
          ],
          wires: [['respond']],
        },
        { id: 'respond', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
      ]);
      const response = await fetch(`${red.url}/gws/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: RECORD_JSON });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      const answer = JSON.parse(text);
      const request = await onlyRequest();
      assert.deepEqual(answer, { topic: 'RecordProcessedAcknowledge', referenceId: request.body.referenceId, statusCode: 0 });
      await assertExchange(COMPLETE, (await outcome()).output);
    });

    it('a JSON node parsing a string payload → gws-get-chained-record', async () => {
      await deploy([
        inject('go', ['json'], RECORD_JSON, 'str'),
        { id: 'json', type: 'json', z: TAB, name: '', property: 'payload', action: '', pretty: false, wires: [['a']] },
        { id: 'a', type: CHAINED, z: TAB, server: 's1', wires: [['out']] },
      ]);
      await assertExchange(CHAINED, await expectOutput('go'));
    });

    it('a template node writing JSON text, then a JSON node → gws-complete-record', async () => {
      await deploy([
        inject('go', ['template'], '12', 'num'),
        {
          id: 'template',
          type: 'template',
          z: TAB,
          name: '',
          field: 'payload',
          fieldType: 'msg',
          format: 'json',
          syntax: 'mustache',
          template: '{\n  "recordHandle": {{payload}},\n  "applicationId": 134,\n  "campaignName": "Campaign1",\n  "callingList": "CallingList1"\n}',
          output: 'str',
          wires: [['json']],
        },
        { id: 'json', type: 'json', z: TAB, property: 'payload', action: 'obj', pretty: false, wires: [['a']] },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['out']] },
      ]);
      await assertExchange(COMPLETE, await expectOutput('go'));
    });
  });

  describe('properties from context and environment', () => {
    it('flow and global context set by a function node (objects made there), read by TypedInput flow/global properties', async () => {
      await deploy([
        inject('go', ['remember'], '', 'date'),
        {
          id: 'remember',
          type: 'function',
          z: TAB,
          func: [
            "flow.set('rec', { handle: 12, list: 'CallingList1' });",
            "global.set('gws', { app: 134, campaign: 'Campaign1' });",
            'return msg;',
          ].join('\n'),
          outputs: 1,
          libs: [],
          wires: [['a']],
        },
        {
          id: 'a',
          type: COMPLETE,
          z: TAB,
          server: 's1',
          recordHandle: 'rec.handle',
          recordHandleType: 'flow',
          callingList: 'rec.list',
          callingListType: 'flow',
          applicationId: 'gws.app',
          applicationIdType: 'global',
          campaignName: 'gws.campaign',
          campaignNameType: 'global',
          wires: [['out']],
        },
      ]);
      await assertExchange(COMPLETE, await expectOutput('go'));
    });

    it('a whole record object kept in flow context by a function node, read through msg.payload with a change node', async () => {
      await deploy([
        inject('go', ['remember'], '', 'date'),
        { id: 'remember', type: 'function', z: TAB, func: `flow.set('record', ${RECORD_JS});\nreturn msg;`, outputs: 1, libs: [], wires: [['restore']] },
        { id: 'restore', type: 'change', z: TAB, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'record', tot: 'flow' }], wires: [['a']] },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['out']] },
      ]);
      await assertExchange(COMPLETE, await expectOutput('go'));
    });

    it('env properties inside a subflow instance: the instance sets the campaign, calling list and application', async () => {
      const subflow = {
        id: 'sf',
        type: 'subflow',
        name: 'complete a record of a campaign',
        info: '',
        category: '',
        in: [{ x: 60, y: 80, wires: [{ id: 'sf-a' }] }],
        out: [{ x: 400, y: 80, wires: [{ id: 'sf-a', port: 0 }] }],
        env: [
          { name: 'CAMPAIGN', type: 'str', value: 'DefaultCampaign' },
          { name: 'LIST', type: 'str', value: 'DefaultList' },
          { name: 'APP', type: 'num', value: '1' },
        ],
      };
      await deploy(
        [
          subflow,
          {
            id: 'sf-a',
            type: COMPLETE,
            z: 'sf',
            server: 's1',
            campaignName: 'CAMPAIGN',
            campaignNameType: 'env',
            callingList: 'LIST',
            callingListType: 'env',
            applicationId: 'APP',
            applicationIdType: 'env',
            wires: [[]],
          },
          inject('go', ['instance'], '{"recordHandle":12}', 'json'),
          {
            id: 'instance',
            type: 'subflow:sf',
            z: TAB,
            name: '',
            env: [
              { name: 'CAMPAIGN', type: 'str', value: 'Campaign7' },
              { name: 'LIST', type: 'str', value: 'List7' },
              { name: 'APP', type: 'num', value: '134' },
            ],
            wires: [['out']],
          },
        ],
        {},
      );
      const record = { recordHandle: 12, applicationId: 134, campaignName: 'Campaign7', callingList: 'List7' };
      await assertExchange(COMPLETE, await expectOutput('go'), record);
    });
  });

  describe('errors reach the Catch node of the flow', () => {
    it('a parameter missing from a change-node payload: one error with msg.error.code and msg.gws, nothing sent', async () => {
      await deploy([
        inject('go', ['change'], '', 'date'),
        {
          id: 'change',
          type: 'change',
          z: TAB,
          rules: [
            { t: 'set', p: 'payload', pt: 'msg', to: '{}', tot: 'json' },
            { t: 'set', p: 'payload.recordHandle', pt: 'msg', to: '12', tot: 'num' },
            { t: 'set', p: 'payload.applicationId', pt: 'msg', to: '134', tot: 'num' },
            { t: 'set', p: 'payload.callingList', pt: 'msg', to: 'CallingList1', tot: 'str' },
          ],
          wires: [['a']],
        },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['out']] },
      ]);
      const { error, output } = await run('go');
      assert.equal(output, undefined, 'no output');
      assert.match(error.error.message, /^CompleteRecord not sent: campaignName is missing/);
      assert.equal(typeof error.error.code, 'string');
      assert.equal(error.error.source.id, 'a');
      assert.equal(error.gws.statusCode, 1);
      assert.equal((await simRequests(sim)).filter((r) => r.path.startsWith('/api/v2/me/outbound-records')).length, 0, 'nothing sent');
    });

    it('GWS refusing the request: one error naming the statusCode, msg.gws with the referenceId that was sent', async () => {
      sim.faults.add({ kind: 'status', statusCode: 5, count: 1 });
      await deploy([inject('go', ['a'], RECORD_JSON, 'json'), { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['out']] }]);
      const { error, output } = await run('go');
      assert.equal(output, undefined, 'no output');
      const request = await onlyRequest();
      assert.match(error.error.message, /^CompleteRecord rejected by GWS: statusCode 5/);
      assert.equal(typeof error.error.code, 'string');
      assert.equal(error.gws.statusCode, 5);
      assert.equal(error.gws.referenceId, request.body.referenceId);
    });
  });

  describe('link calls and batches', () => {
    it('link call into a group (link in → gws-complete-record → link out in return mode) returns the acknowledgement to the caller', async () => {
      await deploy([
        { id: 'group', type: 'group', z: TAB, name: 'complete a record', style: { label: true }, nodes: ['li', 'la', 'lo'], x: 300, y: 300, w: 500, h: 80 },
        inject('go', ['call'], RECORD_JSON, 'json', [['tag', 'caller', 'str']]),
        { id: 'call', type: 'link call', z: TAB, name: '', links: ['li'], linkType: 'static', timeout: '20', wires: [['out']] },
        { id: 'li', type: 'link in', z: TAB, g: 'group', name: 'complete record', links: [], wires: [['la']] },
        { id: 'la', type: COMPLETE, z: TAB, g: 'group', server: 's1', wires: [['lo']] },
        { id: 'lo', type: 'link out', z: TAB, g: 'group', name: '', mode: 'return', links: [], wires: [] },
      ]);
      const output = await expectOutput('go');
      assert.equal(output.tag, 'caller', 'the caller got its own message back');
      await assertExchange(COMPLETE, output);
    });

    it('split → gws-complete-record → join: 50 records give one message holding 50 acknowledgements', async () => {
      const records = Array.from({ length: 50 }, (_, k) => ({ ...RECORD, recordHandle: 1001 + k }));
      await deploy([
        inject('go', ['split'], JSON.stringify(records), 'json'),
        { id: 'split', type: 'split', z: TAB, name: '', splt: '\\n', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', wires: [['a']] },
        { id: 'a', type: COMPLETE, z: TAB, server: 's1', wires: [['join']] },
        { id: 'join', type: 'join', z: TAB, name: '', mode: 'auto', build: 'object', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, wires: [['out']] },
      ]);
      const output = await expectOutput('go', { timeoutMs: 20000 });
      assert.ok(Array.isArray(output.payload), 'the join gives an array');
      assert.equal(output.payload.length, 50);
      assert.deepEqual(output.payload.map((ack) => ack.notificationType), Array(50).fill('RecordProcessedAcknowledge'));
      assert.deepEqual(output.payload.map((ack) => ack.record.recordHandle), records.map((r) => r.recordHandle));
      const requests = (await simRequests(sim)).filter((r) => r.path.startsWith('/api/v2/me/outbound-records'));
      assert.equal(requests.length, 50, 'the simulator saw 50 POSTs');
      assert.deepEqual(requests.map((r) => Number(r.path.split('/').pop())).sort((a, b) => a - b), records.map((r) => r.recordHandle));
      assert.deepEqual(new Set(output.payload.map((ack) => ack.referenceId)), new Set(requests.map((r) => r.body.referenceId)));
    });
  });

  describe('two GWS users in one flow', () => {
    it('each action node sends as the user of its server node; each event node sees only its user, tagged for its own requests', async () => {
      const eventNode = (id, srv) => ({ id, type: 'gws-outbound-event', z: TAB, name: '', server: srv, channel: 'both', notificationTypes: '', correlated: 'all', wires: [[`${id}-report`]] });
      await deploy(
        [
          inject('go1', ['c1'], JSON.stringify({ ...RECORD, recordHandle: 101, referenceId: 'same-ref-both' }), 'json', [['tag', 'agent1', 'str']]),
          inject('go2', ['c2'], JSON.stringify({ ...RECORD, recordHandle: 202, referenceId: 'same-ref-both' }), 'json', [['tag', 'agent2', 'str']]),
          { id: 'c1', type: COMPLETE, z: TAB, server: 's1', wires: [['out1']] },
          { id: 'c2', type: COMPLETE, z: TAB, server: 's2', wires: [['out2']] },
          ...reporter(collector, { id: 'out1', z: TAB, path: '/out1' }),
          ...reporter(collector, { id: 'out2', z: TAB, path: '/out2' }),
          eventNode('e1', 's1'),
          eventNode('e2', 's2'),
          ...reporter(collector, { id: 'e1-report', z: TAB, path: '/events1' }),
          ...reporter(collector, { id: 'e2-report', z: TAB, path: '/events2' }),
        ],
        { servers: [server('s1', 'agent1'), server('s2', 'agent2')] },
      );
      await until(() => sim.stats().cometdClients === 2 && sim.stats().heldConnects === 2, 10000, 'both users connected');

      // A notification for agent2 only.
      const pushed = await fetch(`${sim.url}/sim/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'agent2', channel: '/v2/me/outbound', data: { notificationType: 'CampaignStatus', messageType: 'OutboundCampaignMessage', campaignName: 'OnlyForAgent2' } }),
      });
      assert.equal(pushed.status, 200);
      await collector.wait('/events2', 1);

      await red.inject('go1');
      await red.inject('go2');
      const [out1] = await collector.wait('/out1', 1);
      const [out2] = await collector.wait('/out2', 1);
      assert.equal(out1.topic, 'RecordProcessedAcknowledge');
      assert.equal(out1.payload.record.recordHandle, 101);
      assert.equal(out2.topic, 'RecordProcessedAcknowledge');
      assert.equal(out2.payload.record.recordHandle, 202);

      const requests = (await simRequests(sim)).filter((r) => r.path.startsWith('/api/v2/me/outbound-records'));
      assert.deepEqual(
        requests.map((r) => [r.path, r.user]).sort(),
        [
          ['/api/v2/me/outbound-records/101', 'agent1'],
          ['/api/v2/me/outbound-records/202', 'agent2'],
        ],
      );

      // Each user's acknowledgement and user event reach only the event node of that user.
      const events1 = await collector.wait('/events1', 2);
      const events2 = await collector.wait('/events2', 3);
      await delay(300);
      const acks1 = collector.all('/events1').filter((m) => m.topic === 'RecordProcessedAcknowledge');
      const acks2 = collector.all('/events2').filter((m) => m.topic === 'RecordProcessedAcknowledge');
      assert.deepEqual(acks1.map((m) => m.payload.record.recordHandle), [101], 'agent1 sees only its acknowledgement');
      assert.deepEqual(acks2.map((m) => m.payload.record.recordHandle), [202], 'agent2 sees only its acknowledgement');
      assert.ok(!collector.all('/events1').some((m) => m.payload?.campaignName === 'OnlyForAgent2'), 'the notification for agent2 did not reach agent1');
      assert.ok(events2.some((m) => m.payload?.campaignName === 'OnlyForAgent2' && m.gws === undefined), 'agent2 got its pushed notification, untagged');
      for (const [acks, node, handle, request] of [
        [acks1, 'c1', 101, requests.find((r) => r.user === 'agent1').body],
        [acks2, 'c2', 202, requests.find((r) => r.user === 'agent2').body],
      ]) {
        assert.deepEqual(acks[0].gws?.correlation, { referenceId: 'same-ref-both', operationName: 'CompleteRecord', recordHandle: handle, nodeId: node, request });
      }
      for (const message of [...collector.all('/events1'), ...collector.all('/events2')]) {
        if (message.topic !== 'RecordProcessedAcknowledge') assert.equal(message.gws, undefined, `${message.topic} is not tagged`);
      }
      assert.ok(events1.length >= 2);
      assert.equal(collector.all('/err').length, 0, 'no errors');
    });
  });

  describe('nodes deployed without their optional properties', () => {
    /** The properties the editor stores for a new node. */
    function editorDefaults(type) {
      const def = { name: '', waitForAck: true, timeout: '' };
      for (const param of PARAMS[type]) {
        def[param] = '';
        def[`${param}Type`] = 'str';
      }
      return def;
    }
    /** A value for each parameter, as a str property would hold it. */
    const VALUES = { recordHandle: '', applicationId: '134', campaignName: 'Campaign1', callingList: 'CallingList1', callResult: 'Answer', phoneNumber: '5550100', devicePath: DEVICE, referenceId: '' };

    for (const type of [COMPLETE, CHAINED]) {
      it(`${type}: a node with only a server, or lacking waitForAck, timeout or any <param>/<param>Type, still waits for ${ANSWER[type]}`, async () => {
        const variants = { 'only server': {}, 'timeout "0"': { ...editorDefaults(type), timeout: '0' } };
        for (const key of ['waitForAck', 'timeout']) {
          const def = editorDefaults(type);
          delete def[key];
          variants[`no ${key}`] = def;
        }
        for (const param of PARAMS[type]) {
          const noValue = editorDefaults(type);
          delete noValue[param];
          variants[`no ${param}`] = noValue;
          const noType = editorDefaults(type);
          delete noType[`${param}Type`];
          noType[param] = param === 'referenceId' ? `ref-${type}-no-type` : param === 'recordHandle' ? '' : VALUES[param];
          variants[`no ${param}Type`] = noType;
        }
        const nodes = [];
        Object.entries(variants).forEach(([label, def], k) => {
          const payload = { ...RECORD, recordHandle: 300 + k };
          nodes.push(inject(`go-${k}`, [`a-${k}`], JSON.stringify(payload), 'json', [['tag', label, 'str']]));
          nodes.push({ id: `a-${k}`, type, z: TAB, server: 's1', ...def, wires: [['out']] });
        });
        await deploy(nodes);
        const count = Object.keys(variants).length;
        for (let k = 0; k < count; k++) await red.inject(`go-${k}`);
        const outputs = await collector.wait('/out', count, 15000).catch((error) => {
          throw new Error(`${error.message}; errors: ${JSON.stringify(collector.all('/err').map((m) => `${m.tag}: ${m.error?.message}`))}`);
        });
        await delay(200);
        assert.equal(collector.all('/err').length, 0, JSON.stringify(collector.all('/err').map((m) => `${m.tag}: ${m.error?.message}`)));
        assert.equal(outputs.length, count);
        for (const output of outputs) {
          assert.equal(output.topic, ANSWER[type], `${output.tag}: topic`);
          assert.notEqual(output.topic, OPERATION[type], `${output.tag}: did not stop at the synchronous answer`);
          const answer = type === COMPLETE ? output.payload : output.payload.end;
          assert.equal(answer.notificationType, ANSWER[type], `${output.tag}: payload is the answer`);
        }
        assert.deepEqual(new Set(outputs.map((o) => o.tag)), new Set(Object.keys(variants)));
        const requests = (await simRequests(sim)).filter((r) => r.path.startsWith('/api/v2/me/outbound-records'));
        assert.equal(requests.length, count);
      });
    }
  });
});
