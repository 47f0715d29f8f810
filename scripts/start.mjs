// `npm start`: the whole package on one machine. Starts the bundled GWS simulator on 127.0.0.1:8090 and
// Node-RED on 127.0.0.1:1880 with every example flow, wired to that simulator through one gws-server
// node. The demo user directory (.demo/) is written afresh on every start.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { prepareUserDir, root, startNodeRed } from './lib/node-red-instance.mjs';

const require = createRequire(import.meta.url);
const { startSimulator, DEMO_USER, DEMO_PASSWORD } = require(path.join(root, 'dist', 'simulator', 'index.js'));

const simPort = Number(process.env.GWS_SIM_PORT ?? 8090);
const redPort = Number(process.env.PORT ?? 1880);
const SERVER_ID = 'demo-gws-server';

/** Every example tab, with its gws-server node replaced by one server node pointing at the simulator. */
function demoFlows(simUrl) {
  const flows = [{
    id: SERVER_ID,
    type: 'gws-server',
    name: 'GWS simulator (npm start)',
    useSimulator: false,
    baseUrl: simUrl,
    devicePath: '/devices/42e3a1c6-fc5e-425b-9411-125f536fde00',
    applicationId: '134',
    campaignName: 'Campaign1',
    ackTimeout: '10000',
    callResultFormat: 'name',
  }];
  const dir = path.join(root, 'examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const nodes = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const servers = new Set(nodes.filter((n) => n.type === 'gws-server').map((n) => n.id));
    for (const node of nodes) {
      if (servers.has(node.id)) continue;
      if (servers.has(node.server)) node.server = SERVER_ID;
      flows.push(node);
    }
  }
  return flows;
}

const sim = await startSimulator({ host: '127.0.0.1', port: simPort, chainLength: 2, previewIntervalMs: 20000 });
const userDir = path.join(root, '.demo');
prepareUserDir({
  dir: userDir,
  port: redPort,
  flows: demoFlows(sim.url),
  credentials: { [SERVER_ID]: { username: DEMO_USER, password: DEMO_PASSWORD } },
});
const red = startNodeRed({ userDir, port: redPort });
const stop = async () => {
  await red.stop();
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
red.child.on('exit', () => void sim.stop().then(() => process.exit(0)));
await red.started;
process.stdout.write(
  `\n  GWS simulator:  ${sim.url}  (user ${DEMO_USER} / ${DEMO_PASSWORD})\n` +
    `  Node-RED:       ${red.url}  (open it, pick a tab, press an inject button)\n` +
    `  Stop with Ctrl+C.\n\n`,
);
