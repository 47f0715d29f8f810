#!/usr/bin/env node
/**
 * `gws-sim`: runs the bundled GWS simulator until interrupted.
 *
 *   gws-sim [--port 8090] [--host 127.0.0.1] [--user name:password]... [--no-csrf]
 *           [--chain-length N] [--call-result name|number|any] [--preview-interval ms]
 *           [--no-ack-extension] [--tls-key file --tls-cert file]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_DEVICE_PATH, DEMO_PASSWORD, DEMO_USER, startSimulator, type SimUser } from './gws-simulator.js';

const HELP = `gws-sim: a local Genesys Web Services (GWS) Outbound API simulator

Options:
  --port <n>                 port to listen on (default 8090, 0 = any free port)
  --host <address>           address to listen on (default 127.0.0.1)
  --user <name:password>     a user (repeatable; default ${DEMO_USER}:${DEMO_PASSWORD})
  --no-csrf                  do not send or check CSRF tokens
  --chain-length <n>         chained records before ChainedRecordsDataEnd (default 0)
  --call-result <format>     callResult accepted as name, number or any (default any)
  --preview-interval <ms>    push a PreviewRecord to every user at this interval
  --no-ack-extension         do not offer CometD's ack extension
  --tls-key <file> --tls-cert <file>   serve HTTPS
  --help                     show this text
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
    tls,
  });
  process.stdout.write(
    `GWS simulator listening on ${sim.url}\n` +
      `  users: ${Object.keys(users).join(', ')}   device path: ${DEMO_DEVICE_PATH}\n` +
      `  control API: ${sim.url}/sim/stats, /sim/faults, /sim/forget-clients, /sim/restart, /sim/push\n`,
  );
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
