// Correlation cost per answer with N requests pending (the Correlator of dist/core, no network).
// Run in a process of its own by bench/run.mjs; sends one result over IPC.
//
// N requests wait (each with its own timeout timer, as in production). In rounds, the K oldest of them
// are answered the way GWS answers them: the acknowledgement and its DeviceUserEventMessage in one
// long-poll batch, then batchEnd; the round ends when all K promises have resolved; K new requests
// then take their place, so N stays constant. Reported per answer:
//  - sync µs: handle(ack) + handle(userEvent) + batchEnd, the matching work proper;
//  - cpu µs: process CPU time of the whole round (matching, the join timer, resolving the promise);
//  - expect µs: registering a request (expect()), measured on the refills.
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageDir } from './snapshot.mjs';

const require = createRequire(import.meta.url);
const root = packageDir();
const { Correlator } = require(path.join(root, 'dist', 'core', 'index.js'));

const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const ACK = { kind: 'ack', type: 'RecordProcessedAcknowledge' };

function request(n) {
  const referenceId = `ref-${n}`;
  const recordHandle = String(n);
  return {
    info: {
      referenceId,
      operationName: 'CompleteRecord',
      recordHandle,
      request: { operationName: 'CompleteRecord', devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, campaignName: 'Campaign1', referenceId },
    },
    ack: {
      channel: '/v2/me/outbound',
      data: {
        record: { campaignName: 'Campaign1', devicePath: DEVICE, callingList: 'CallingList1', applicationId: 134, recordHandle: n },
        notificationType: 'RecordProcessedAcknowledge',
        messageType: 'OutboundRecordMessage',
        referenceId,
      },
    },
    userEvent: {
      channel: '/me/internal',
      data: {
        userData: { GSW_CALLING_LIST: 'CallingList1', GSW_APPLICATION_ID: 134, GSW_RECORD_HANDLE: n, GSW_USER_EVENT: 'RecordProcessedAcknowledge', GSW_CALL_RESULT: 33, GSW_CAMPAIGN_NAME: 'Campaign1', GSW_CHAIN_ID: 1 },
        deviceId: '42e3a1c6-fc5e-425b-9411-125f536fde00',
        messageType: 'DeviceUserEventMessage',
      },
    },
  };
}

async function level(pendingCount, { answers, maxMs }) {
  const correlator = new Correlator({ userEventWaitMs: 200, memorySize: 10000 });
  let next = 0;
  const queue = [];
  const expectOne = () => {
    const r = request(next++);
    r.promise = correlator.expect(r.info, ACK, 3_600_000);
    queue.push(r);
  };
  for (let i = 0; i < pendingCount; i++) expectOne();
  const k = Math.min(pendingCount, 256);
  let batch = 0;
  let syncMs = 0;
  let cpuUs = 0;
  let wallMs = 0;
  let expectMs = 0;
  let expects = 0;
  let answered = 0;
  const round = async (measure) => {
    const group = queue.splice(0, k);
    // Pre-build the notification objects outside the timed part, as the CometD client hands them over.
    const notifications = group.map((r) => [
      { channel: r.ack.channel, data: r.ack.data, batch: batch + 1 },
      { channel: r.userEvent.channel, data: r.userEvent.data, batch: batch + 1 },
    ]);
    batch++;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const [ack, userEvent] of notifications) {
      correlator.handle(ack);
      correlator.handle(userEvent);
    }
    correlator.batchEnd(batch);
    const t1 = performance.now();
    const results = await Promise.all(group.map((r) => r.promise));
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    if (results.some((result) => result.userEvent === undefined)) throw new Error('an answer came without its user event');
    const e0 = performance.now();
    for (let i = 0; i < group.length; i++) expectOne();
    const e1 = performance.now();
    if (measure) {
      syncMs += t1 - t0;
      wallMs += t2 - t0;
      cpuUs += cpu.user + cpu.system;
      expectMs += e1 - e0;
      expects += group.length;
      answered += group.length;
    }
  };
  // Warm-up (JIT), then the bounded measured loop.
  const warmEnd = performance.now() + Math.min(300, maxMs / 4);
  for (let i = 0; i < 10000 && performance.now() < warmEnd; i++) await round(false);
  const end = performance.now() + maxMs;
  while (answered < answers && performance.now() < end) await round(true);
  if (correlator.pendingCount !== pendingCount) throw new Error(`pending drifted: ${correlator.pendingCount} != ${pendingCount}`);
  correlator.failAll(() => new Error('done'));
  await Promise.allSettled(queue.map((r) => r.promise));
  return {
    pending: pendingCount,
    answers: answered,
    syncUsPerAnswer: (syncMs * 1000) / answered,
    cpuUsPerAnswer: cpuUs / answered,
    wallUsPerAnswer: (wallMs * 1000) / answered,
    expectUs: (expectMs * 1000) / expects,
    stats: correlator.stats,
  };
}

/**
 * The correlation memory (the last `memorySize` requests, for tagging notifications) once it is full:
 * µs per remember() — each one evicts the oldest entry.
 */
function memoryCost(memorySize, calls) {
  const correlator = new Correlator({ memorySize });
  let n = 0;
  for (let i = 0; i < 2 * memorySize + 10; i++) correlator.remember(request(n++).info);
  const infos = Array.from({ length: calls }, () => request(n++).info);
  const t0 = performance.now();
  for (const info of infos) correlator.remember(info);
  return { memorySize, usPerRemember: ((performance.now() - t0) * 1000) / calls };
}

process.once('message', async ({ input }) => {
  try {
    const results = [];
    for (const pending of input.levels) results.push(await level(pending, input));
    const memory = [memoryCost(1000, input.rememberCalls ?? 20000), memoryCost(10000, input.rememberCalls ?? 20000)];
    process.send({ ok: true, result: { levels: results, memory } });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
