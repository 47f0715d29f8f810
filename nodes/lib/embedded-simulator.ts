/**
 * The simulator a server node uses when "use the bundled simulator" is ticked: one per Node-RED
 * process on 127.0.0.1 and a free port, started by its first user and stopped when the last one
 * releases it.
 */
import { startSimulator, type GwsSimulator } from '../../simulator/gws-simulator.js';

let simulator: Promise<GwsSimulator> | undefined;
let users = 0;

export interface EmbeddedSimulator {
  url: string;
  release(): Promise<void>;
}

export async function acquireSimulator(): Promise<EmbeddedSimulator> {
  users++;
  simulator ??= startSimulator({ host: '127.0.0.1', port: 0, chainLength: 2 });
  let sim: GwsSimulator;
  try {
    sim = await simulator;
  } catch (error) {
    users--;
    simulator = undefined;
    throw error;
  }
  let released = false;
  return {
    url: sim.url,
    async release() {
      if (released) return;
      released = true;
      if (--users > 0) return;
      const stopping = simulator;
      simulator = undefined;
      await (await stopping)?.stop();
    },
  };
}
