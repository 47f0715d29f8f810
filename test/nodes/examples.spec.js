'use strict';
/**
 * The example flows of examples/ (Import > Examples in Node-RED): each is a valid flow file, and each
 * does what its comment says when it runs as shipped, with its server node on the bundled simulator
 * (`useSimulator: true`, no credentials). Debug nodes are swapped for helper nodes to see what arrives.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { DEVICE, delay, until } = require('../helpers');
const { helper, ALL } = require('../helpers/flow');
const { exampleFiles, example, editorDefinitions, coreModules, forTest, only, embeddedSimulator, HELPER_TYPES, PACKAGE_TYPES, CORE_FILES } = require('../helpers/examples');

const EXPECTED = [
  '01 Complete a record.json',
  '02 Get a chained record.json',
  '03 Stream outbound events.json',
  '04 Error handling with Catch and retry.json',
  '05 Fire-and-forget with correlation.json',
  '06 Outbound desk.json',
];

/** Properties every exported node may carry besides those of its type's `defaults`. */
const COMMON = new Set(['id', 'type', 'z', 'x', 'y', 'wires', 'g']);

describe('examples', () => {
  describe('files', () => {
    const files = exampleFiles();
    const definitions = editorDefinitions();

    it('has the six examples, named as the menu shows them', () => {
      assert.deepEqual(files.map((f) => f.file), EXPECTED);
    });

    it('uses ids that are unique across all examples', () => {
      const ids = files.flatMap((f) => f.nodes.map((n) => n.id));
      assert.equal(new Set(ids).size, ids.length);
    });

    it('reads the editor definitions of every node type of the package', () => {
      for (const type of PACKAGE_TYPES) {
        assert.ok(definitions[type]?.defaults.has('name'), `editor definition of ${type}`);
        // Where the editor file is there, its own definition counts (else what the operation table says the dialog stores).
        const editorFile = path.join(__dirname, '..', '..', 'nodes', `${type}.html`);
        assert.equal(definitions[type].fromTable === true, !fs.existsSync(editorFile), `${type}: read from ${fs.existsSync(editorFile) ? 'its editor file' : 'the operation table'}`);
      }
    });

    for (const { file, title, text, nodes } of files) {
      describe(file, () => {
        it('is a flow export: a 2-space indented array of nodes with ids and types', () => {
          assert.ok(Array.isArray(nodes), 'an array');
          assert.equal(text, `${JSON.stringify(nodes, null, 2)}\n`, '2-space indented JSON');
          for (const node of nodes) {
            assert.equal(typeof node.id, 'string', JSON.stringify(node));
            assert.ok(node.id.length > 0);
            assert.equal(typeof node.type, 'string', node.id);
          }
          assert.equal(new Set(nodes.map((n) => n.id)).size, nodes.length, 'unique ids');
        });

        it('has one tab labelled like the file, and every node on it', () => {
          const tab = only(nodes, 'tab');
          assert.equal(tab.label, title);
          assert.equal(nodes.indexOf(tab), 0, 'the tab comes first');
          for (const node of nodes) {
            if (node === tab) continue;
            assert.equal(node.z, tab.id, `${node.type} ${node.id} is on the tab`);
            if (node.type !== 'gws-server') {
              assert.ok(Number.isFinite(node.x) && Number.isFinite(node.y), `${node.type} ${node.id} has a position`);
              assert.ok(Array.isArray(node.wires), `${node.type} ${node.id} has wires`);
            }
          }
        });

        it('has exactly one gws-server, on the bundled simulator, without credentials', () => {
          const servers = nodes.filter((n) => n.type === 'gws-server');
          assert.equal(servers.length, 1);
          const [server] = servers;
          assert.equal(server.useSimulator, true);
          assert.equal(server.name, 'GWS simulator');
          assert.equal(server.devicePath, DEVICE);
          assert.equal(server.applicationId, '134');
          assert.equal(server.campaignName, 'Campaign1');
          assert.equal(server.ackTimeout, '10000');
          assert.equal(server.callResultFormat, 'name');
          assert.ok(!('credentials' in server), 'no credentials in the flow');
          for (const node of nodes) {
            for (const key of ['credentials', 'username', 'password']) assert.ok(!(key in node), `${node.type} ${node.id} has no ${key}`);
          }
          assert.ok(!text.includes('agent1'), 'not even the demo user is in the file');
          for (const node of nodes.filter((n) => 'server' in n)) {
            assert.equal(node.server, server.id, `${node.type} ${node.id} uses the example's server node`);
          }
        });

        it('wires only to nodes of the same file, with as many outputs as the node has', () => {
          const ids = new Set(nodes.map((n) => n.id));
          for (const node of nodes.filter((n) => Array.isArray(n.wires))) {
            for (const port of node.wires) {
              assert.ok(Array.isArray(port), `${node.id}: each output is a list`);
              for (const target of port) assert.ok(ids.has(target), `${node.type} ${node.id} wires to missing ${target}`);
            }
            const outputs = { debug: 0, comment: 0, 'gws-server': 0, function: Number(node.outputs) }[node.type] ?? 1;
            assert.ok(node.wires.length <= outputs, `${node.type} ${node.id} has ${node.wires.length} outputs wired, at most ${outputs}`);
          }
          for (const c of nodes.filter((n) => n.type === 'catch' && Array.isArray(n.scope))) {
            for (const target of c.scope) assert.ok(ids.has(target), `catch scope names missing ${target}`);
          }
        });

        it('uses only node types it can load, and only properties the package nodes define', () => {
          const known = new Set(['tab', ...PACKAGE_TYPES, ...HELPER_TYPES, ...Object.keys(CORE_FILES)]);
          for (const node of nodes) {
            assert.ok(known.has(node.type), `unknown type ${node.type}`);
            if (!PACKAGE_TYPES.has(node.type)) continue;
            const allowed = definitions[node.type].defaults;
            for (const key of Object.keys(node)) {
              assert.ok(COMMON.has(key) || allowed.has(key), `${node.type} ${node.id}: property ${key} is not in the editor's defaults`);
            }
          }
        });

        it('explains itself and the way to a real GWS in a comment', () => {
          const comments = nodes.filter((n) => n.type === 'comment');
          assert.equal(comments.length, 1);
          const lines = comments[0].info.trim().split('\n');
          assert.ok(lines.length >= 2 && lines.length <= 4, `2-4 lines, got ${lines.length}`);
          assert.match(comments[0].info, /untick "Use the bundled GWS simulator"/);
          assert.match(comments[0].info, /URL/);
        });

        it('has no inject that fires on deploy or repeats', () => {
          for (const inject of nodes.filter((n) => n.type === 'inject')) {
            assert.equal(inject.once, false);
            assert.equal(inject.repeat, '');
            assert.equal(inject.crontab, '');
          }
        });
      });
    }
  });

  describe('running on the bundled simulator', () => {
    let sim;
    let flow;

    beforeEach(async () => {
      sim = await embeddedSimulator();
    });
    beforeEach((done) => {
      helper.startServer(done);
    });
    afterEach(async () => {
      await helper.unload();
      await new Promise((resolve) => {
        helper.stopServer(resolve);
      });
      await sim.release();
    });

    /** Loads example `prefix` as shipped (debug nodes → helper nodes), no credentials; resolves with its nodes. */
    async function run(prefix, change) {
      flow = forTest(example(prefix).nodes, change);
      await helper.load([...ALL, ...coreModules(flow)], flow, {});
      return flow;
    }

    const id = (type, name) => only(flow, type, name).id;

    /** Every message that arrives at the helper node that replaced debug `name`, from now on. */
    function collect(name) {
      const list = [];
      helper.getNode(id('helper', name)).on('input', (msg) => list.push(msg));
      return list;
    }

    function press(name) {
      helper.getNode(id('inject', name)).receive({});
    }

    it('01 completes record 12 and shows the acknowledgement; errors reach the error debug', async () => {
      await run('01');
      const out = collect('complete msg');
      const errors = collect('error');
      press('record 12, Answer');
      await until(() => out.length === 1, 8000, 'the acknowledgement');
      const [msg] = out;
      assert.equal(msg.topic, 'RecordProcessedAcknowledge');
      assert.equal(msg.payload.notificationType, 'RecordProcessedAcknowledge');
      assert.equal(msg.payload.record.recordHandle, 12);
      assert.equal(msg.payload.referenceId, msg.gws.referenceId);
      assert.equal(msg.gws.operationName, 'CompleteRecord');
      assert.equal(msg.gws.statusCode, 0);
      assert.deepEqual(
        { ...msg.gws.request, referenceId: undefined },
        { operationName: 'CompleteRecord', applicationId: 134, campaignName: 'Campaign1', callingList: 'CallingList1', callResult: 'Answer', devicePath: DEVICE, referenceId: undefined },
        'payload values plus the server node defaults',
      );
      assert.equal(msg.gws.userEvent?.userData?.GSW_RECORD_HANDLE, 12);
      assert.equal((await sim.operations()).length, 1, 'the request went to the embedded simulator');

      // The catch node passes what the complete node reports to the error debug.
      helper.getNode(id('gws-complete-record')).receive({ payload: { recordHandle: 13 } });
      await until(() => errors.length === 1, 5000, 'the error');
      assert.match(errors[0].error.message, /^CompleteRecord not sent: callingList is missing/);
      assert.equal(errors[0].gws.statusCode, 1);
      assert.equal(out.length, 1);
    });

    it('02 fetches the chain of record 7 in one message', async () => {
      await run('02');
      const out = collect('chain');
      const errors = collect('error');
      press('record 7');
      await until(() => out.length === 1, 8000, 'the chain');
      const [msg] = out;
      assert.equal(msg.topic, 'ChainedRecordsDataEnd');
      assert.equal(msg.payload.end.notificationType, 'ChainedRecordsDataEnd');
      assert.equal(msg.payload.end.record.recordHandle, 7);
      assert.deepEqual(msg.payload.records.map((r) => [r.recordHandle, r.chainN]), [[701, 1], [702, 2]]);
      assert.equal(msg.gws.operationName, 'GetChainedRecord');
      assert.equal(msg.gws.request.campaignName, 'Campaign1');

      helper.getNode(id('gws-get-chained-record')).receive({ payload: {} });
      await until(() => errors.length === 1, 5000, 'the error');
      assert.match(errors[0].error.message, /^GetChainedRecord not sent: recordHandle is missing/);
      assert.equal(out.length, 1);
    });

    it('03 streams the acknowledgement and the user event of record 31', async () => {
      await run('03');
      const events = collect('event');
      const acks = collect('ack');
      press('record 31, Answer');
      await until(() => acks.length === 1, 8000, 'the acknowledgement');
      assert.equal(acks[0].topic, 'RecordProcessedAcknowledge');
      await until(() => events.some((m) => m.channel === '/me/internal'), 3000, 'the user event');
      const ack = events.find((m) => m.topic === 'RecordProcessedAcknowledge');
      assert.ok(ack, `acknowledgement among ${events.map((m) => m.topic)}`);
      assert.equal(ack.channel, '/v2/me/outbound');
      assert.equal(ack.payload.record.recordHandle, 31);
      const { referenceId, operationName, recordHandle, nodeId, request } = ack.gws.correlation;
      assert.deepEqual({ referenceId, operationName, nodeId }, { referenceId: acks[0].gws.referenceId, operationName: 'CompleteRecord', nodeId: id('gws-complete-record') });
      assert.equal(recordHandle, 31, 'the record handle as given');
      assert.equal(request.callingList, 'CallingList1');
      const user = events.find((m) => m.channel === '/me/internal');
      assert.equal(user.topic, 'DeviceUserEventMessage');
      assert.equal(user.payload.userData.GSW_RECORD_HANDLE, 31);
      assert.equal(user.gws, undefined, 'a user event is never tagged');
    });

    describe('04 error handling', () => {
      /** Loads example 04 and watches its three outcome debugs. */
      async function run04(change) {
        await run('04', change);
        return { done: collect('completed'), gaveUp: collect('gave up'), fix: collect('needs fixing') };
      }

      it('passes a valid request straight through', async () => {
        const seen = await run04();
        press('valid: record 41');
        await until(() => seen.done.length === 1, 8000, 'completed');
        assert.equal(seen.done[0].topic, 'RecordProcessedAcknowledge');
        assert.equal(seen.done[0].payload.record.recordHandle, 41);
        assert.equal(seen.done[0].retries, undefined);
        assert.equal(seen.done[0].error, undefined);
        await delay(200);
        assert.equal(seen.gaveUp.length + seen.fix.length, 0);
      });

      it('sends a parameter error to "needs fixing" at once, without a retry', async () => {
        const seen = await run04();
        press('invalid: no callingList');
        await until(() => seen.fix.length === 1, 5000, 'needs fixing');
        assert.equal(seen.fix[0].gws.statusCode, 1);
        assert.match(seen.fix[0].error.message, /^CompleteRecord not sent: callingList is missing/);
        assert.equal(seen.fix[0].error.source.id, id('gws-complete-record'));
        await delay(2500);
        assert.equal(seen.done.length + seen.gaveUp.length, 0, 'no retry');
        assert.equal((await sim.operations()).length, 0, 'nothing was sent');
      });

      it('retries once when GWS is unreachable, and completes', async () => {
        const seen = await run04();
        await sim.fault({ kind: 'reset', count: 1, operation: 'CompleteRecord' });
        press('valid: record 41');
        await until(() => seen.done.length === 1, 8000, 'completed after the retry');
        const [msg] = seen.done;
        assert.equal(msg.retries, 1);
        assert.equal(msg.lastError.code, 'unreachable');
        assert.match(msg.lastError.message, /unreachable/);
        assert.equal(msg.error, undefined);
        assert.equal(msg.topic, 'RecordProcessedAcknowledge');
        assert.equal((await sim.operations()).length, 2);
        assert.equal(seen.gaveUp.length + seen.fix.length, 0);
      });

      it('retries once after a timeout, and completes', async () => {
        const complete = only(example('04').nodes, 'gws-complete-record');
        const seen = await run04({ [complete.id]: { timeout: '400' } });
        await sim.fault({ kind: 'ack', mode: 'drop', count: 1, operation: 'CompleteRecord' });
        press('valid: record 41');
        await until(() => seen.done.length === 1, 8000, 'completed after the retry');
        assert.equal(seen.done[0].retries, 1);
        assert.equal(seen.done[0].lastError.code, 'timeout');
        assert.match(seen.done[0].lastError.message, /timed out: no RecordProcessedAcknowledge within 400 ms/);
        assert.equal(seen.gaveUp.length + seen.fix.length, 0);
      });

      it('gives up when the retry fails too', async () => {
        const seen = await run04();
        await sim.fault({ kind: 'reset', count: 2, operation: 'CompleteRecord' });
        press('valid: record 41');
        await until(() => seen.gaveUp.length === 1, 8000, 'gave up');
        assert.equal(seen.gaveUp[0].retries, 1);
        assert.equal(seen.gaveUp[0].error.code, 'unreachable');
        assert.match(seen.gaveUp[0].error.message, /unreachable/);
        await delay(2500);
        assert.equal(seen.done.length + seen.fix.length, 0);
        assert.equal(seen.gaveUp.length, 1, 'exactly one retry');
        assert.equal((await sim.operations()).length, 2);
      });

      it('gives up at once on an error that a retry cannot fix', async () => {
        const seen = await run04();
        await sim.fault({ kind: 'status', statusCode: 3, httpStatus: 403, statusMessage: 'Operation forbidden', count: 1, operation: 'CompleteRecord' });
        press('valid: record 41');
        await until(() => seen.gaveUp.length === 1, 5000, 'gave up');
        assert.equal(seen.gaveUp[0].retries, 0);
        assert.equal(seen.gaveUp[0].gws.statusCode, 3);
        assert.match(seen.gaveUp[0].error.message, /rejected by GWS: statusCode 3/);
        await delay(2500);
        assert.equal(seen.done.length + seen.fix.length, 0);
        assert.equal((await sim.operations()).length, 1);
      });
    });

    it('05 passes the request on when accepted and tags the later acknowledgement with its correlation', async () => {
      await run('05');
      const accepted = collect('accepted');
      const acknowledged = collect('acknowledged');
      press('record 51, Answer');
      await until(() => accepted.length === 1 && acknowledged.length === 1, 8000, 'accepted and acknowledged');
      assert.deepEqual(accepted[0].payload, { statusCode: 0 });
      assert.equal(accepted[0].topic, 'CompleteRecord');
      assert.equal(accepted[0].gws.userEvent, undefined);
      const ack = acknowledged[0];
      assert.equal(ack.topic, 'RecordProcessedAcknowledge');
      assert.equal(ack.payload.record.recordHandle, 51);
      const correlation = ack.gws.correlation;
      assert.equal(correlation.referenceId, accepted[0].gws.referenceId);
      assert.equal(correlation.operationName, 'CompleteRecord');
      assert.equal(correlation.recordHandle, 51);
      assert.equal(correlation.nodeId, id('gws-complete-record'));
      assert.equal(correlation.request.callingList, 'CallingList1');
      // Uncorrelated notifications (the user event, a record pushed by the campaign) do not pass.
      assert.equal((await sim.pushPreviewRecord()).clients, 1);
      await delay(300);
      assert.deepEqual(acknowledged.map((m) => m.topic), ['RecordProcessedAcknowledge'], 'only correlated notifications');
    });

    it('06 starts a session, previews each record, takes every decision through one record node, and ends the session', async () => {
      await run('06');
      const session = collect('session');
      const records = collect('record to decide');
      const results = collect('decision result');
      const errors = collect('error');
      const stored = () => helper.getNode(id('change', 'remember the record')).context().flow.get('record');
      const campaignRequests = async () => (await sim.requests()).filter((r) => r.path.startsWith('/api/v2/me/outbound-campaigns/'));

      // A decision before any record was previewed: an error that says what is missing, nothing sent.
      press('reject');
      await until(() => errors.length === 1, 5000, 'the error');
      assert.match(errors[0].error.message, /^RejectRecord not sent: recordHandle is missing/);
      assert.equal(errors[0].error.source.id, id('gws-outbound-record'));
      assert.equal(errors[0].gws.statusCode, 1);

      press('start session');
      await until(() => session.length === 1, 8000, 'the session');
      assert.equal(session[0].topic, 'PreviewSessionStarted');
      assert.equal(session[0].payload.campaign.name, 'Campaign1');
      assert.equal(session[0].payload.campaign.dialingMode, 'Preview');

      const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;
      const DECISIONS = [
        ['complete: Answer', 'CompleteRecord', 'RecordProcessedAcknowledge', (body, record) => {
          assert.equal(body.callResult, 'Answer');
          assert.equal(body.callingList, record.callingList);
          assert.equal(body.phoneNumber, record.phoneNumber);
        }],
        ['reject', 'RejectRecord', 'RecordRejectAcknowledge', (body, record) => {
          assert.equal(body.callingList, record.callingList);
          assert.equal('phoneNumber' in body, false, 'RejectRecord takes no phone number');
        }],
        ['reschedule in one hour', 'RescheduleRecord', 'ScheduledRecordRescheduleAcknowledge', (body) => {
          assert.equal(body.callbackType, 'Personal');
          assert.ok(Math.abs(body.timestamp - inOneHour()) <= 5, `in one hour, in seconds: ${body.timestamp}`);
          assert.equal('callingList' in body, false, 'RescheduleRecord takes no calling list');
        }],
        ['do not call', 'DoNotCallRecord', 'DoNotCallAcknowledge', (body, record) => {
          assert.equal(body.callingList, record.callingList);
          assert.equal(body.phoneNumber, record.phoneNumber);
        }],
        ['update phone: 5550199', 'UpdateRecord', 'UpdateCallCompletionStatsAcknowledge', (body, record) => {
          assert.equal(body.phoneNumber, '5550199');
          assert.equal(body.phoneType, 'Mobile');
          assert.equal(body.callingList, record.callingList);
        }],
      ];
      const handles = [];
      for (const [button, operation, answer, check] of DECISIONS) {
        press('next record');
        await until(() => records.length === handles.length + 1, 8000, `preview record ${handles.length + 1}`);
        const preview = records.at(-1);
        assert.equal(preview.topic, 'PreviewRecord');
        const record = stored();
        assert.deepEqual(record, {
          recordHandle: preview.payload.recordHandle,
          callingList: 'Campaign1_CallingList',
          campaignName: 'Campaign1',
          applicationId: 134,
          phoneNumber: preview.payload.record.userData.GSW_PHONE,
        }, 'the record kept in flow context');
        handles.push(record.recordHandle);

        press(button);
        await until(() => results.length === handles.length, 8000, `the answer to ${button}`);
        const result = results.at(-1);
        assert.equal(result.topic, answer, button);
        assert.equal(result.operation, operation);
        assert.equal(result.gws.operationName, operation);
        assert.equal(result.gws.recordHandle, record.recordHandle);
        assert.equal(result.payload.record.recordHandle, record.recordHandle);
        assert.equal(result.gws.userEvent.userData.GSW_USER_EVENT, answer);
        assert.notEqual(result.gws.referenceId, preview.gws.referenceId, 'each request its own referenceId');
        const request = (await sim.requests()).at(-1);
        assert.equal(request.path, `/api/v2/me/outbound-records/${record.recordHandle}`);
        assert.equal(request.body.operationName, operation);
        assert.equal(request.body.applicationId, 134);
        assert.equal(request.body.campaignName, 'Campaign1');
        assert.equal(request.body.devicePath, DEVICE);
        check(request.body, record);
      }
      assert.equal(new Set(handles).size, 5, 'five different records');

      // The simulated list has five records: the sixth preview says the list is empty.
      press('next record');
      await until(() => errors.length === 2, 8000, 'the empty list');
      assert.match(errors[1].error.message, /^GetPreviewRecord failed: GWS answered PreviewRecord without a record: the calling lists of campaign Campaign1 have no record to preview now/);
      assert.equal(records.length, 5);

      press('end session');
      await until(() => session.length === 2, 8000, 'the end of the session');
      assert.equal(session[1].topic, 'PreviewSessionEnded');
      assert.deepEqual((await campaignRequests()).map((r) => [r.path, r.body.operationName]), [
        ['/api/v2/me/outbound-campaigns/Campaign1', 'StartPreviewSession'],
        ...Array(6).fill(['/api/v2/me/outbound-campaigns/Campaign1', 'GetPreviewRecord']),
        ['/api/v2/me/outbound-campaigns/Campaign1', 'EndPreviewSession'],
      ]);
      await delay(200);
      assert.equal(errors.length, 2, 'no other error');
      assert.equal(results.length, 5);
    });
  });
});
