/**
 * The simulator a server node uses when "use the bundled simulator" is ticked: one per Node-RED
 * process on 127.0.0.1 and a free port, shared by every server node that uses it, started by its
 * first user and stopped a few seconds after the last one released it: a full deploy closes every
 * server node and starts them again, and the preview sessions, records and faults of the simulator
 * survive it.
 *
 * Its control API under `/sim/` has no authentication, and anything on the machine can reach the
 * port, so it is off unless a user asks for it. Being shared, the simulator serves the control API
 * while at least one of its current users asked for it (`{ control: true }`, which tests do and server
 * nodes never do): switched on the moment such a user acquires it, off again when the last of them
 * releases it. Switching needs no restart, so the connections of the other users survive it.
 */
import { startSimulator, type GwsSimulator } from '../../simulator/gws-simulator.js';

let simulator: Promise<GwsSimulator> | undefined;
let users = 0;
let controlUsers = 0;
/** Stops the simulator once no user came back within LINGER_MS of the last release. */
let lingering: NodeJS.Timeout | undefined;
const LINGER_MS = 5000;

export interface EmbeddedSimulator {
  url: string;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Serve the control API under /sim/ while this user holds the simulator (default false). */
  control?: boolean;
}

export async function acquireSimulator(options: AcquireOptions = {}): Promise<EmbeddedSimulator> {
  const control = options.control ?? false;
  clearTimeout(lingering);
  lingering = undefined;
  users++;
  if (control) controlUsers++;
  simulator ??= startSimulator({ host: '127.0.0.1', port: 0, chainLength: 2, control: false });
  let sim: GwsSimulator;
  try {
    sim = await simulator;
  } catch (error) {
    users--;
    if (control) controlUsers--;
    simulator = undefined;
    throw error;
  }
  sim.control = controlUsers > 0;
  let released = false;
  return {
    url: sim.url,
    async release() {
      if (released) return;
      released = true;
      if (control) controlUsers--;
      sim.control = controlUsers > 0;
      if (--users > 0) return;
      lingering = setTimeout(() => void stopUnusedSimulator(), LINGER_MS);
      // The process may end meanwhile: the simulator's own sockets keep it alive only while it runs.
      lingering.unref();
    },
  };
}

/**
 * Stops the simulator at once when nobody uses it, instead of after LINGER_MS: for a caller that wants
 * the next user to find a fresh simulator (no records, preview sessions or faults of earlier users).
 */
export async function stopUnusedSimulator(): Promise<void> {
  if (users > 0 || simulator === undefined) return;
  clearTimeout(lingering);
  lingering = undefined;
  const stopping = simulator;
  simulator = undefined;
  try {
    await (await stopping).stop();
  } catch {
    // It never started (the error went to its user) or is already gone.
  }
}
