/**
 * The control API under `/sim/`: faults, stats, recorded requests, pushed notifications, users,
 * configuration, restarts. It has no authentication (it is for tests and demos on one machine), so it
 * can be switched off, and what it accepts is bounded: a body of at most 64 KB, pushed data nested at
 * most 32 levels deep.
 */
import type http from 'node:http';
import type { FaultRule } from './faults.js';
import type { GwsSimulator, SimulatorConfig } from './gws-simulator.js';
import { BodyTooLargeError, json, jsonAndClose, jsonText, nestsDeeperThan, readJson } from './http-json.js';
import { OUTBOUND } from './notifications.js';

const CONTROL_BODY_LIMIT = 64 * 1024;
const MAX_PUSH_DEPTH = 32;

export async function handleControl(sim: GwsSimulator, req: http.IncomingMessage, res: http.ServerResponse, path: string, defaultUser: string): Promise<void> {
  let body: unknown;
  try {
    body = await readJson(req, CONTROL_BODY_LIMIT, true);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return jsonAndClose(res, 400, { error: `control request body larger than ${CONTROL_BODY_LIMIT} bytes` });
    return json(res, 400, { error: 'body is not JSON' });
  }
  const fields: Record<string, unknown> = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  try {
    switch (`${req.method} ${path}`) {
      case 'GET /sim/stats':
        return json(res, 200, sim.stats());
      case 'GET /sim/requests':
        return jsonText(res, 200, requestsText(sim));
      case 'GET /sim/faults':
        return json(res, 200, sim.faults.list());
      case 'POST /sim/faults':
        sim.faults.add(body as FaultRule | FaultRule[]);
        return json(res, 200, sim.faults.list());
      case 'DELETE /sim/faults':
        sim.faults.clear();
        return json(res, 200, []);
      case 'POST /sim/forget-clients':
        sim.forgetClients();
        return json(res, 200, { ok: true });
      case 'POST /sim/rotate-csrf':
        sim.rotateCsrf();
        return json(res, 200, { ok: true });
      case 'POST /sim/restart':
        json(res, 200, { ok: true });
        setImmediate(() => void sim.restart(Number(fields.downMs ?? 0)));
        return;
      case 'POST /sim/users':
        if (typeof fields.username !== 'string' || fields.username === '' || typeof fields.password !== 'string') {
          return json(res, 400, { error: 'users needs {"username":…,"password":…} (text)' });
        }
        sim.setUser(fields.username, { password: fields.password });
        return json(res, 200, { ok: true });
      case 'PUT /sim/config':
        sim.configure(fields as Partial<SimulatorConfig>);
        return json(res, 200, sim.config);
      case 'POST /sim/push':
        return push(sim, res, fields, defaultUser);
      default:
        return json(res, 404, { error: `unknown control ${req.method} ${path}` });
    }
  } catch (error) {
    json(res, 400, { error: (error as Error).message });
  }
}

function push(sim: GwsSimulator, res: http.ServerResponse, fields: Record<string, unknown>, defaultUser: string): void {
  const user = typeof fields.user === 'string' ? fields.user : defaultUser;
  const preview = fields.notificationType === 'PreviewRecord';
  const data = preview ? fields.record : fields.data;
  if (!preview && (data === null || typeof data !== 'object')) {
    return json(res, 400, { error: 'push needs {"notificationType":"PreviewRecord"} or a data object (and a channel)' });
  }
  if (nestsDeeperThan(data, MAX_PUSH_DEPTH)) {
    return json(res, 400, { error: `pushed data nests deeper than ${MAX_PUSH_DEPTH} levels` });
  }
  const reached = preview
    ? sim.pushPreviewRecord(user, data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {})
    : sim.push(user, [{ channel: typeof fields.channel === 'string' ? fields.channel : OUTBOUND, data: data as Record<string, unknown> }]);
  json(res, 200, { clients: reached });
}

/**
 * The recorded requests, serialised one by one: a body that cannot be serialised (nested too deep
 * for the stack) is listed without its body instead of failing the whole answer.
 */
function requestsText(sim: GwsSimulator): string {
  const texts = sim.requests().map((entry) => {
    try {
      return JSON.stringify(entry);
    } catch {
      return JSON.stringify({ ...entry, body: undefined, bodyUnserialisable: true });
    }
  });
  return `[${texts.join(',')}]`;
}
