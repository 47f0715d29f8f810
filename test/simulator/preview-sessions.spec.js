'use strict';
/**
 * Preview dialing on /api/v2/me/outbound-campaigns/<campaign-name>: sessions per user and campaign,
 * records handed out one by one, the empty answer, statusCode 2 without a session, and where the
 * record handle of a PreviewRecord sits.
 */
const assert = require('node:assert/strict');
const { startSim, DEVICE } = require('../helpers');
const { rawClient, on, body, CAMPAIGN_OPERATIONS } = require('./lib/raw-client');

const DEVICE_ID = DEVICE.slice('/devices/'.length);

describe('simulator: preview sessions', () => {
  let sim;
  let client;
  let sequence = 0;
  beforeEach(async () => {
    sim = await startSim({
      longPollTimeoutMs: 1000,
      previewListSize: 3,
      users: { agent1: { password: 'agent1' }, agent2: { password: 'agent2' } },
    });
    client = await rawClient(sim);
  });
  afterEach(() => sim.stop());

  /** Sends a campaign operation and resolves with its answer on /v2/me/outbound and what came with it. */
  async function run(operationName, campaign = 'Campaign1', who = client, extra = {}) {
    const referenceId = `${operationName}-${++sequence}`;
    const post = await who.campaign(campaign, body(operationName, { referenceId, ...extra }));
    assert.deepEqual(post, { status: 200, body: { statusCode: 0 } }, `${operationName} accepted`);
    const seen = await who.answerTo(referenceId);
    const answer = on(seen, '/v2/me/outbound').find((m) => m.referenceId === referenceId);
    return { answer, events: on(seen, '/me/internal'), referenceId };
  }

  /** The record handle of a PreviewRecord, wherever it is. */
  const handleOf = (answer) => answer.record.recordHandle ?? answer.record.userData.GSW_RECORD_HANDLE;

  it('StartPreviewSession answers PreviewSessionStarted with the campaign', async () => {
    const { answer, referenceId } = await run('StartPreviewSession');
    assert.equal(answer.messageType, 'OutboundCampaignMessage');
    assert.equal(answer.notificationType, 'PreviewSessionStarted');
    assert.equal(answer.referenceId, referenceId);
    assert.deepEqual(Object.keys(answer.campaign), ['name', 'dialingMode', 'groupName', 'state', 'devicePath', 'applicationId', 'groupDescription', 'description']);
    assert.equal(answer.campaign.name, 'Campaign1');
    assert.equal(answer.campaign.dialingMode, 'Preview');
    assert.equal(answer.campaign.devicePath, DEVICE);
    assert.equal(answer.campaign.applicationId, 134);
    assert.equal(sim.stats().previewSessions, 1);
  });

  it('hands out the records of the list one per GetPreviewRecord, then a PreviewRecord without a record', async () => {
    await run('StartPreviewSession');
    const handles = [];
    for (let i = 0; i < 3; i++) {
      const { answer, events, referenceId } = await run('GetPreviewRecord');
      assert.equal(answer.messageType, 'OutboundRecordMessage');
      assert.equal(answer.notificationType, 'PreviewRecord');
      assert.equal(answer.referenceId, referenceId);
      const record = answer.record;
      assert.deepEqual(Object.keys(record), ['recordHandle', 'callingList', 'campaignName', 'applicationId', 'devicePath', 'userData']);
      assert.equal(record.campaignName, 'Campaign1');
      assert.equal(record.applicationId, 134);
      assert.equal(record.devicePath, DEVICE);
      const userData = record.userData;
      for (const key of ['GSW_CALLING_LIST', 'GSW_CAMPAIGN_NAME', 'GSW_APPLICATION_ID', 'GSW_PHONE', 'GSW_CALL_RESULT', 'GSW_ATTEMPTS', 'GSW_TZ_NAME', 'GSW_TZ_OFFSET', 'GSW_CALL_ATTEMPT_GUID', 'GSW_USER_EVENT', 'GSW_RECORD_HANDLE']) {
        assert.ok(Object.hasOwn(userData, key), key);
      }
      assert.equal(userData.GSW_USER_EVENT, 'PreviewRecord');
      assert.equal(userData.GSW_CALLING_LIST, record.callingList);
      assert.equal(userData.GSW_CAMPAIGN_NAME, 'Campaign1');
      assert.equal(userData.GSW_APPLICATION_ID, 134);
      assert.equal(userData.GSW_RECORD_HANDLE, record.recordHandle);
      assert.match(userData.GSW_PHONE, /^\d+$/);
      assert.ok(Object.keys(userData).some((key) => !key.startsWith('GSW_')), 'custom fields of the calling list');

      // The record's own user event on /me/internal.
      assert.equal(events.length, 1);
      assert.equal(events[0].messageType, 'DeviceUserEventMessage');
      assert.equal(events[0].deviceId, DEVICE_ID);
      assert.equal(events[0].userData.GSW_USER_EVENT, 'PreviewRecord');
      assert.equal(events[0].userData.GSW_RECORD_HANDLE, record.recordHandle);
      assert.equal(events[0].userData.GSW_CAMPAIGN_NAME, 'Campaign1');
      handles.push(record.recordHandle);
    }
    assert.equal(new Set(handles).size, 3, 'three different records');

    for (let i = 0; i < 2; i++) {
      const { answer, events, referenceId } = await run('GetPreviewRecord');
      assert.deepEqual(answer, { notificationType: 'PreviewRecord', messageType: 'OutboundRecordMessage', referenceId }, 'the list is empty: no record');
      assert.deepEqual(events, []);
    }
  });

  it('GetPreviewRecord or EndPreviewSession without a started session: statusCode 2, start one', async () => {
    for (const operationName of ['GetPreviewRecord', 'EndPreviewSession']) {
      const answer = await client.campaign('Campaign1', body(operationName));
      assert.equal(answer.status, 400);
      assert.equal(answer.body.statusCode, 2);
      assert.match(answer.body.statusMessage, /Campaign1.*start one with StartPreviewSession/);
    }
    await run('StartPreviewSession');
    await run('EndPreviewSession');
    const afterEnd = await client.campaign('Campaign1', body('GetPreviewRecord'));
    assert.equal(afterEnd.body.statusCode, 2, 'an ended session is gone');
    assert.equal(sim.stats().previewSessions, 0);
  });

  it('EndPreviewSession answers PreviewSessionEnded with the campaign', async () => {
    await run('StartPreviewSession');
    const { answer, referenceId } = await run('EndPreviewSession');
    assert.deepEqual(answer, {
      campaign: { name: 'Campaign1', state: answer.campaign.state, devicePath: DEVICE, applicationId: 134 },
      notificationType: 'PreviewSessionEnded',
      messageType: 'OutboundCampaignMessage',
      referenceId,
    });
    assert.equal(typeof answer.campaign.state, 'string');
  });

  it('starting a running session again keeps what is left of its list', async () => {
    await run('StartPreviewSession');
    const first = handleOf((await run('GetPreviewRecord')).answer);
    await run('StartPreviewSession');
    const second = handleOf((await run('GetPreviewRecord')).answer);
    assert.notEqual(second, first);
  });

  it('keeps sessions apart per campaign and per user', async () => {
    const other = await rawClient(sim, { username: 'agent2', password: 'agent2' });
    await run('StartPreviewSession', 'Campaign1');
    await run('StartPreviewSession', 'Campaign2');
    assert.equal((await other.campaign('Campaign1', body('GetPreviewRecord'))).body.statusCode, 2, "agent2 has no session of agent1's");
    await run('StartPreviewSession', 'Campaign1', other);
    assert.equal(sim.stats().previewSessions, 3);

    const drained = [];
    for (let i = 0; i < 3; i++) drained.push(handleOf((await run('GetPreviewRecord', 'Campaign1')).answer));
    assert.equal((await run('GetPreviewRecord', 'Campaign1')).answer.record, undefined, 'Campaign1 of agent1 is empty');

    const campaign2 = (await run('GetPreviewRecord', 'Campaign2')).answer;
    assert.equal(campaign2.record.campaignName, 'Campaign2');
    const agent2 = (await run('GetPreviewRecord', 'Campaign1', other)).answer;
    assert.ok(agent2.record, "agent2's list is its own");
    assert.ok(!drained.includes(handleOf(agent2)) && !drained.includes(handleOf(campaign2)));

    await run('EndPreviewSession', 'Campaign1');
    assert.ok((await run('GetPreviewRecord', 'Campaign1', other)).answer.record, "ending agent1's session leaves agent2's");
  });

  it('takes the campaign name from its path segment, decoded; nothing deeper', async () => {
    const name = 'Spring Sale/2025 #1';
    const { answer } = await run('StartPreviewSession', name);
    assert.equal(answer.campaign.name, name);
    assert.equal(sim.requests().at(-1).path, `/api/v2/me/outbound-campaigns/${encodeURIComponent(name)}`);
    for (const path of ['/api/v2/me/outbound-campaigns', '/api/v2/me/outbound-campaigns/', '/api/v2/me/outbound-campaigns/a/b']) {
      assert.deepEqual(await client.call('POST', path, body('StartPreviewSession')), { status: 404, body: { statusCode: 6, statusMessage: 'Resource not found' } }, path);
    }
  });

  it('validates campaign requests: applicationId and devicePath required, no campaignName in the body', async () => {
    for (const operationName of CAMPAIGN_OPERATIONS) {
      for (const name of ['applicationId', 'devicePath']) {
        const answer = await client.campaign('Campaign1', body(operationName, { [name]: undefined }));
        assert.deepEqual(answer, { status: 400, body: { statusCode: 1, statusMessage: `Missing required parameter: ${name}` } });
      }
      const named = await client.campaign('Campaign1', body(operationName, { campaignName: 'Campaign1' }));
      assert.equal(named.body.statusMessage, `Invalid parameter: campaignName is not a parameter of ${operationName}`);
      const integer = await client.campaign('Campaign1', body(operationName, { applicationId: '134' }));
      assert.equal(integer.body.statusMessage, 'Invalid parameter: applicationId must be an integer');
      const elsewhere = await client.record(12, body(operationName));
      assert.equal(elsewhere.body.statusCode, 1);
    }
    const recordOperation = await client.campaign('Campaign1', body('CompleteRecord', { campaignName: undefined }));
    assert.equal(recordOperation.body.statusMessage, 'Invalid parameter: operationName CompleteRecord is not an operation of /api/v2/me/outbound-campaigns/<campaign-name>');
  });

  it('records every campaign POST in requests()', async () => {
    await client.campaign('Campaign1', body('GetPreviewRecord'));
    await run('StartPreviewSession');
    const posts = sim.requests().filter((r) => r.path === '/api/v2/me/outbound-campaigns/Campaign1');
    assert.deepEqual(posts.map((r) => [r.method, r.user, r.body.operationName]), [['POST', 'agent1', 'GetPreviewRecord'], ['POST', 'agent1', 'StartPreviewSession']]);
  });

  it('a handed-out record can then be rescheduled and completed; its calling list is known', async () => {
    await run('StartPreviewSession');
    const { answer } = await run('GetPreviewRecord');
    const handle = handleOf(answer);
    const callingList = answer.record.callingList;
    assert.notEqual(callingList, 'CallingList1', 'a list of its own');

    await client.record(handle, body('RescheduleRecord', { referenceId: 'later', callbackType: 'Campaign' }));
    let seen = await client.answerTo('later', 'ScheduledRecordRescheduleAcknowledge');
    assert.equal(on(seen, '/v2/me/outbound')[0].record.callingList, callingList, 'the list of the preview record, not named in the request');
    assert.equal(on(seen, '/me/internal')[0].userData.GSW_RECORD_HANDLE, handle);

    await client.record(handle, body('CompleteRecord', { referenceId: 'done', callingList, callResult: 'Answer' }));
    seen = await client.answerTo('done', 'RecordProcessedAcknowledge');
    assert.equal(on(seen, '/v2/me/outbound')[0].record.recordHandle, handle);
  });

  describe('where a PreviewRecord carries its record handle (previewHandleIn)', () => {
    for (const [where, inRecord, inUserData] of [['both', true, true], ['record', true, false], ['userData', false, true]]) {
      it(`${where}: recordHandle ${inRecord ? 'in' : 'not in'} the record, GSW_RECORD_HANDLE ${inUserData ? 'in' : 'not in'} its userData`, async () => {
        await sim.stop();
        sim = await startSim({ longPollTimeoutMs: 1000, previewHandleIn: where });
        client = await rawClient(sim);
        await run('StartPreviewSession');
        const { answer, events } = await run('GetPreviewRecord');
        assert.equal(Object.hasOwn(answer.record, 'recordHandle'), inRecord);
        assert.equal(Object.hasOwn(answer.record.userData, 'GSW_RECORD_HANDLE'), inUserData);
        assert.equal(typeof handleOf(answer), 'number');
        assert.equal(events[0].userData.GSW_RECORD_HANDLE, handleOf(answer), 'the user event always names the record');
      });
    }

    it('can be changed while the simulator runs, with PUT /sim/config', async () => {
      const put = async (config) => {
        const response = await fetch(`${sim.url}/sim/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
        return { status: response.status, body: await response.json() };
      };
      assert.equal((await put({ previewHandleIn: 'userData' })).body.previewHandleIn, 'userData');
      await run('StartPreviewSession');
      let { answer } = await run('GetPreviewRecord');
      assert.ok(!Object.hasOwn(answer.record, 'recordHandle') && Object.hasOwn(answer.record.userData, 'GSW_RECORD_HANDLE'));
      await put({ previewHandleIn: 'record' });
      ({ answer } = await run('GetPreviewRecord'));
      assert.ok(Object.hasOwn(answer.record, 'recordHandle') && !Object.hasOwn(answer.record.userData, 'GSW_RECORD_HANDLE'));
      const bad = await put({ previewHandleIn: 'header' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /previewHandleIn must be record, userData, both/);
      assert.equal(sim.config.previewHandleIn, 'record', 'a refused setting changes nothing');
    });
  });

  it('previewListSize sets the length of the list of a new session', async () => {
    sim.configure({ previewListSize: 1 });
    await run('StartPreviewSession');
    assert.ok((await run('GetPreviewRecord')).answer.record);
    assert.equal((await run('GetPreviewRecord')).answer.record, undefined);
  });
});
