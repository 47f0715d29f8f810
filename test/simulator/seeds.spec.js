'use strict';
/**
 * The simulator must reproduce the two seed exchanges (the GWS documentation pages in
 * test/fixtures/seeds) field for field: the request it accepts, the synchronous answer and the
 * CometD answer array, read here with a raw Bayeux client to see exactly what goes over the wire.
 */
const assert = require('node:assert/strict');
const { startSim } = require('../helpers');
const { readSeed } = require('../helpers/seeds');
const { rawClient } = require('./lib/raw-client');

describe('simulator: the seed exchanges, field for field', () => {
  let sim;
  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(() => sim.stop());

  for (const [file, operation] of [['complete-record.txt', 'CompleteRecord'], ['get-chained-record.txt', 'GetChainedRecord']]) {
    it(`reproduces ${operation}`, async () => {
      const seed = readSeed(file);
      assert.equal(seed.request.operationName, operation);
      const client = await rawClient(sim);
      const post = await client.call('POST', `/api/v2/me/outbound-records/${seed.handle}`, seed.request);
      assert.equal(post.status, 200);
      assert.deepEqual(post.body, seed.answer);
      const { body: answer } = await client.connect(String(seed.cometd[2].id));
      assert.equal(answer.length, seed.cometd.length);

      // The outbound answer: identical.
      assert.deepEqual(answer[0], seed.cometd[0]);
      assert.deepEqual(Object.keys(answer[0].data.record), Object.keys(seed.cometd[0].data.record), 'record fields in the seed order');

      // The device user event: identical but for the measured metrics, which keep their fields and types.
      const [got, want] = [answer[1], seed.cometd[1]];
      assert.equal(got.channel, want.channel);
      assert.deepEqual(got.data.userData, want.data.userData);
      assert.deepEqual(Object.keys(got.data.userData), Object.keys(want.data.userData), 'userData fields in the seed order');
      assert.equal(got.data.deviceId, want.data.deviceId);
      assert.equal(got.data.messageType, want.data.messageType);
      assert.deepEqual(Object.keys(got.data).sort(), Object.keys(want.data).sort());
      for (const key of Object.keys(want.data.metrics.eventProcessing)) {
        assert.equal(typeof got.data.metrics.eventProcessing[key], 'number', key);
      }
      assert.ok(Math.abs(got.data.metrics.eventProcessing.serverGenerationTimestamp - Date.now()) < 5000);

      // The /meta/connect reply with the seed's advice.
      assert.deepEqual(answer[2], seed.cometd[2]);
    });
  }
});
