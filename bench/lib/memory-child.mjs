// Memory of the core connection, in a process of its own started with --expose-gc:
//  1. heap with N requests pending: the simulator drops every acknowledgement (fault ack/drop), the
//     requests wait with a long timeout; heap after gc() minus the heap of the same connection, warmed
//     up and idle, before they were sent.
//  2. heap drift over M operations: a fresh connection, warmed up until its correlation memory is at its
//     plateau (it keeps the last 10,000 to 20,000 requests: two generations of 10,000), then M
//     CompleteRecords in segments; heap after gc() after each.
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageDir } from './snapshot.mjs';
import v8 from 'node:v8';
import { heapByType, heapGrowth } from './heap-summary.mjs';

const require = createRequire(import.meta.url);
const root = packageDir();
const { GwsConnection } = require(path.join(root, 'dist', 'core', 'index.js'));

const DEVICE = '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00';
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (typeof globalThis.gc !== 'function') {
  process.send({ ok: false, error: 'memory-child needs --expose-gc' });
  process.exit(1);
}

/** Writes a heap snapshot into `dir` (when given) and returns its file name. */
function snapshot(dir, name) {
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  return v8.writeHeapSnapshot(path.join(dir, `${process.pid}-${name}.heapsnapshot`));
}

function heapUsed() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function control(simUrl, method, pathname, body) {
  const response = await fetch(new URL(pathname, simUrl), {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(5000),
  });
  return response.json();
}

async function open(simUrl, user, ackTimeoutMs, memorySize) {
  const connection = await GwsConnection.create({ baseUrl: simUrl, username: user, password: user, ackTimeoutMs, memorySize });
  connection.start();
  const end = Date.now() + 10000;
  while (connection.state.status !== 'connected') {
    if (Date.now() > end) throw new Error(`connection not ready: ${JSON.stringify(connection.state)}`);
    await delay(5);
  }
  return connection;
}

let handle = 0;
function complete(connection, options) {
  const request = connection.prepare('CompleteRecord', {
    recordHandle: ++handle,
    applicationId: 134,
    campaignName: 'Campaign1',
    callingList: 'CallingList1',
    callResult: 'Answer',
    devicePath: DEVICE,
  });
  return connection.execute(request, options);
}

/** `count` operations with `concurrency` workers; bounded by count and by `maxMs`. */
async function run(connection, count, concurrency, maxMs) {
  let started = 0;
  let failed = 0;
  const end = Date.now() + maxMs;
  const worker = async () => {
    while (started < count && Date.now() < end) {
      started++;
      try {
        await complete(connection);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (started < count) throw new Error(`only ${started} of ${count} operations within ${maxMs} ms`);
  if (failed > 0) throw new Error(`${failed} operations failed`);
}

async function pendingHeap({ simUrl, user, pending, maxMs, snapshotDir }) {
  const connection = await open(simUrl, user, 600_000);
  const files = [];
  try {
    await run(connection, 500, 32, maxMs);
    // fetch (undici) loads lazily: use it once before the baseline, so the baseline holds it too.
    await control(simUrl, 'GET', '/sim/stats');
    await delay(300);
    const before = heapUsed();
    files.push(snapshot(snapshotDir, 'idle'));
    await control(simUrl, 'POST', '/sim/faults', { kind: 'ack', mode: 'drop' });
    const accepted0 = (await control(simUrl, 'GET', '/sim/stats')).operations.CompleteRecord ?? 0;
    const waits = [];
    const chunk = 500;
    const end = Date.now() + maxMs;
    for (let sent = 0; sent < pending; sent += chunk) {
      const n = Math.min(chunk, pending - sent);
      for (let i = 0; i < n; i++) waits.push(complete(connection).catch(() => undefined));
      // Let the chunk be accepted before the next one (bounded).
      for (;;) {
        const accepted = ((await control(simUrl, 'GET', '/sim/stats')).operations.CompleteRecord ?? 0) - accepted0;
        if (accepted >= sent + n) break;
        if (Date.now() > end) throw new Error(`only ${accepted} of ${sent + n} requests accepted within ${maxMs} ms`);
        await delay(5);
      }
    }
    await delay(300);
    const pendingNow = connection.stats.pending;
    const after = heapUsed();
    files.push(snapshot(snapshotDir, 'pending'));
    await control(simUrl, 'DELETE', '/sim/faults');
    connection.correlator.failAll(() => new Error('bench: released'));
    await Promise.all(waits);
    // What one pending request holds, by object type (from the two snapshots; after the measurement).
    const growth = snapshotDir ? heapGrowth(heapByType(files[0]), heapByType(files[1]), { top: 14, per: pendingNow }) : undefined;
    return { pending: pendingNow, beforeBytes: before, afterBytes: after, deltaBytes: after - before, bytesPerPending: (after - before) / pendingNow, growth };
  } finally {
    for (const file of files) if (file) rmSync(file, { force: true });
    await control(simUrl, 'DELETE', '/sim/faults').catch(() => undefined);
    await connection.stop();
  }
}

async function drift({ simUrl, user, warmOps, driftOps, segments, concurrency, maxMs, memorySize, snapshotDir }) {
  // memorySize undefined = the product default (10,000 requests remembered for tagging).
  const connection = await open(simUrl, user, 10000, memorySize);
  const started = Date.now();
  const files = [];
  try {
    await run(connection, warmOps, concurrency, maxMs);
    const baseline = heapUsed();
    files.push(snapshot(snapshotDir, 'baseline'));
    const samples = [{ ops: 0, bytes: baseline }];
    const per = Math.ceil(driftOps / segments);
    let done = 0;
    while (done < driftOps) {
      const n = Math.min(per, driftOps - done);
      await run(connection, n, concurrency, Math.max(1000, maxMs - (Date.now() - started)));
      done += n;
      samples.push({ ops: done, bytes: heapUsed() });
      if (samples.length === 2) files.push(snapshot(snapshotDir, 'segment1'));
    }
    files.push(snapshot(snapshotDir, 'end'));
    const final = samples.at(-1).bytes;
    // Least-squares slope (bytes per 1,000 operations): a leak shows as a steady rise. Also over the
    // samples after the first segment, which shows whether growth continues or was a one-time step.
    const slopeOf = (points) => {
      const n = points.length;
      if (n < 2) return undefined;
      const mx = points.reduce((s, p) => s + p.ops, 0) / n;
      const my = points.reduce((s, p) => s + p.bytes, 0) / n;
      return points.reduce((s, p) => s + (p.ops - mx) * (p.bytes - my), 0) / points.reduce((s, p) => s + (p.ops - mx) ** 2, 0);
    };
    const slope = slopeOf(samples);
    const laterSlope = slopeOf(samples.slice(1));
    const growth = snapshotDir && files.length === 3 ? {
      firstSegment: heapGrowth(heapByType(files[0]), heapByType(files[1]), { top: 6 }),
      rest: heapGrowth(heapByType(files[1]), heapByType(files[2]), { top: 6 }),
    } : undefined;
    return {
      growth,
      laterSlopeBytesPer1000Ops: laterSlope === undefined ? undefined : laterSlope * 1000,
      warmOps,
      memorySize: memorySize ?? 10000,
      ops: done,
      baselineBytes: baseline,
      finalBytes: final,
      driftPercent: ((final - baseline) / baseline) * 100,
      slopeBytesPer1000Ops: slope * 1000,
      samples,
      stats: connection.stats,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const file of files) if (file) rmSync(file, { force: true });
    await connection.stop();
  }
}

process.once('message', async ({ input }) => {
  try {
    const result = input.mode === 'pending' ? await pendingHeap(input) : await drift(input);
    process.send({ ok: true, result });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
