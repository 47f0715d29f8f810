#!/usr/bin/env node
/**
 * `gws-sim`: runs the bundled GWS simulator until interrupted.
 *
 *   gws-sim [--port 8090] [--host 127.0.0.1] [--user name:password]... [--no-csrf]
 *           [--chain-length N] [--call-result name|number|any] [--preview-interval ms]
 *           [--preview-list-size N] [--preview-handle-in record|userData|both]
 *           [--keep-alive-timeout ms] [--no-control] [--no-ack-extension] [--tls-key file --tls-cert file]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_DEVICE_PATH, DEMO_PASSWORD, DEMO_USER, startSimulator, type SimUser } from './gws-simulator.js';

const HELP = `gws-sim: a local Genesys Web Services (GWS) Outbound API simulator

Operations (POST, answered on CometD /api/v2/notifications):
  /api/v2/me/outbound-records/<record-handle>
      CompleteRecord, GetChainedRecord, RejectRecord, RescheduleRecord, DoNotCallRecord, UpdateRecord
  /api/v2/me/outbound-records
      AddRecord (answers AddRecordAcknowledge with the new record's handle)
  /api/v2/me/outbound-campaigns/<campaign-name>
      StartPreviewSession, GetPreviewRecord, EndPreviewSession (one session per user and campaign)

Options:
  --port <n>                 port to listen on (default 8090, 0 = any free port)
  --host <address>           address to listen on (default 127.0.0.1)
  --user <name:password>     a user (repeatable; default ${DEMO_USER}:${DEMO_PASSWORD})
  --no-csrf                  do not send or check CSRF tokens
  --chain-length <n>         chained records before ChainedRecordsDataEnd (default 0)
  --call-result <format>     callResult accepted as name, number or any (default any)
  --preview-interval <ms>    push a PreviewRecord to every user at this interval
  --preview-list-size <n>    records in the calling list of a preview session (default 5)
  --preview-handle-in <where>  where a PreviewRecord carries its record handle:
                             record, userData or both (default both)
  --keep-alive-timeout <ms>  close idle keep-alive connections after this time (default 65000)
  --no-control               no control API under /sim/ (its paths answer 404 like unknown ones)
  --no-ack-extension         do not offer CometD's ack extension
  --tls-key <file> --tls-cert <file>   serve HTTPS
  --help                     show this text

The control API (/sim/faults, /sim/stats, /sim/requests, /sim/push, /sim/config, ...) has no
authentication: anyone who reaches the port can use it. Keep --host on a loopback address, or
use --no-control.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.GWS_SIM_PORT ?? '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      user: { type: 'string', multiple: true },
      'no-csrf': { type: 'boolean', default: false },
      'chain-length': { type: 'string', default: '0' },
      'call-result': { type: 'string', default: 'any' },
      'preview-interval': { type: 'string', default: '0' },
      'preview-list-size': { type: 'string', default: '5' },
      'preview-handle-in': { type: 'string', default: 'both' },
      'keep-alive-timeout': { type: 'string', default: '65000' },
      'no-control': { type: 'boolean', default: false },
      'no-ack-extension': { type: 'boolean', default: false },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const users: Record<string, SimUser> = {};
  for (const entry of values.user ?? [`${DEMO_USER}:${DEMO_PASSWORD}`]) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`--user takes name:password, got ${entry}`);
    users[entry.slice(0, colon)] = { password: entry.slice(colon + 1) };
  }
  const format = values['call-result'];
  if (format !== 'name' && format !== 'number' && format !== 'any') throw new Error('--call-result takes name, number or any');
  const handleIn = values['preview-handle-in'];
  if (handleIn !== 'record' && handleIn !== 'userData' && handleIn !== 'both') throw new Error('--preview-handle-in takes record, userData or both');
  const keepAlive = Number(values['keep-alive-timeout']);
  if (!Number.isInteger(keepAlive) || keepAlive < 0) throw new Error('--keep-alive-timeout takes a number of ms');
  const tls = values['tls-key'] && values['tls-cert']
    ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) }
    : undefined;
  const sim = await startSimulator({
    host: values.host,
    port: Number(values.port),
    users,
    csrf: !values['no-csrf'],
    ackExtension: !values['no-ack-extension'],
    chainLength: Number(values['chain-length']),
    callResultFormat: format,
    previewIntervalMs: Number(values['preview-interval']),
    previewListSize: Number(values['preview-list-size']),
    previewHandleIn: handleIn,
    keepAliveTimeoutMs: keepAlive,
    control: !values['no-control'],
    tls,
  });
  process.stdout.write(
    `GWS simulator listening on ${sim.url}\n` +
      `  users: ${Object.keys(users).join(', ')}   device path: ${DEMO_DEVICE_PATH}\n` +
      (sim.control
        ? `  control API: ${sim.url}/sim/stats, /sim/faults, /sim/requests, /sim/forget-clients, /sim/restart, /sim/push, /sim/config\n`
        : '  control API: off\n'),
  );
  if (sim.control && !/^(127\.|::1$|localhost$)/.test(values.host)) {
    process.stderr.write(`gws-sim: warning: the control API on ${values.host} has no authentication; use --no-control unless the network is yours\n`);
  }
  const stop = () => {
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`gws-sim: ${(error as Error).message}\n`);
  process.exit(1);
});
