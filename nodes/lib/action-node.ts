/**
 * What gws-complete-record and gws-get-chained-record share: resolve the parameters (TypedInput,
 * then msg.payload.<name>, then the server node's defaults), send the operation through the server's
 * connection, and end every input message exactly once: one output message or one `done(err)`.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import type { ConnectionState, GwsConnection, OperationResult } from '../../core/connection.js';
import { GwsError } from '../../core/errors.js';
import { isUnset, PARAMS_WITH_DEFAULT, type OperationInput, type ParamName, type PreparedRequest } from '../../core/operations.js';
import { operationParams } from '../../core/operation-table.js';
import type { OperationName } from '../../core/wire-types.js';
import { NodeError } from './errors.js';
import { shared, translator } from './i18n.js';
import { evaluateProperty, isPlainObject, positiveNumber, typedProperty, type TypedProperty } from './properties.js';
import { connectionStatus, failureStatus, waitingStatus } from './status.js';
import type { ActionNodeDef, ActionOutputMessage, ChainPayload, GwsMessageInfo, GwsServerNode, ServerUser } from './types.js';

type Send = (msg: ActionOutputMessage) => void;

const STATUS_INTERVAL_MS = 100;
type Done = (err?: Error) => void;

interface InFlight {
  referenceId?: string;
  abort: AbortController;
  /** Ends the message with this error unless it has ended already. */
  fail(error: GwsError): void;
}

export function actionNode(type: string, operationName: OperationName) {
  return function register(RED: NodeAPI): void {
    const t = translator(RED);

    function ActionNode(this: Node, def: ActionNodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const server = (def.server ? RED.nodes.getNode(def.server) : null) as GwsServerNode | null;
      const params = operationParams(operationName);
      const properties = new Map<ParamName, TypedProperty>();
      for (const param of params) {
        const property = typedProperty(RED, node, def[param], def[`${param}Type` as keyof ActionNodeDef]);
        if (property) properties.set(param, property);
        if (property?.problem) node.warn(t(shared('warnings.badProperty'), { param, detail: property.problem }));
      }
      const waitForAck = !(def.waitForAck === false || def.waitForAck === 'false');
      const timeoutMs = positiveNumber(def.timeout);
      const inFlight = new Set<InFlight>();
      let connection: ConnectionState = { status: 'disconnected' };
      let lastFailure: GwsError['reason'] | undefined;

      // A new count of waiting messages is shown at most every STATUS_INTERVAL_MS: at hundreds of messages a
      // second, a status per message would cost the runtime and every open editor more than the work itself.
      let showingWaiting = false;
      let paintTimer: NodeJS.Timeout | undefined;
      let closing = false;
      const paintNow = () => {
        clearTimeout(paintTimer);
        paintTimer = undefined;
        showingWaiting = false;
        if (!server) return node.status(failureStatus('noServer'));
        if (connection.status === 'failed') return node.status(connectionStatus(connection));
        if (inFlight.size > 0) {
          showingWaiting = true;
          return node.status(waitingStatus(t, inFlight.size));
        }
        if (lastFailure) return node.status(failureStatus(lastFailure));
        node.status(connectionStatus(connection));
      };
      const paint = () => {
        if (closing) return;
        if (showingWaiting && inFlight.size > 0 && connection.status !== 'failed') {
          paintTimer ??= setTimeout(paintNow, STATUS_INTERVAL_MS);
          return;
        }
        paintNow();
      };
      const user: ServerUser = {
        id: node.id,
        connectionChanged(state) {
          connection = state;
          paint();
        },
      };
      if (server) server.register(user);
      else paint();

      /**
       * Rule 1 and the contract: the property, else msg.payload.<name>, else the server default. `empty`
       * collects the parameters whose property is set but gave nothing, to say so if one is then missing.
       */
      async function resolveInput(msg: NodeMessageInFlow, empty: Map<ParamName, string>): Promise<OperationInput> {
        const payload = isPlainObject(msg.payload) ? msg.payload : undefined;
        const input: OperationInput = {};
        for (const param of params) {
          const property = properties.get(param);
          let value: unknown;
          if (property) {
            try {
              value = await evaluateProperty(RED, node, property, msg);
            } catch (error) {
              throw new GwsError('badExpression', { operation: operationName, param, detail: (error as Error).message }, { statusCode: 1, reason: 'invalid' });
            }
            if (isUnset(value)) empty.set(param, describeSource(property));
          } else if (payload && Object.hasOwn(payload, param)) {
            value = payload[param];
          }
          if (isUnset(value) && server && PARAMS_WITH_DEFAULT.includes(param)) {
            value = server.defaults[param as keyof GwsServerNode['defaults']];
          }
          input[param] = value;
        }
        return input;
      }

      node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
        const out = msg as unknown as ActionOutputMessage;
        let ended = false;
        let input: OperationInput | undefined;
        const entry: InFlight = {
          abort: new AbortController(),
          fail(error) {
            finish(error);
          },
        };
        const finish = (error?: GwsError, result?: OperationResult) => {
          if (ended) return;
          ended = true;
          inFlight.delete(entry);
          if (error) {
            out.gws = { ...out.gws, ...errorInfo(error) };
            // Not sent, but the caller's own referenceId is known: keep it for the Catch flow.
            if (out.gws.referenceId === undefined && typeof input?.referenceId === 'string' && input.referenceId !== '') {
              out.gws.referenceId = input.referenceId;
            }
            lastFailure = error.reason;
            paint();
            done(new NodeError(t, error));
            return;
          }
          lastFailure = undefined;
          paint();
          writeOutput(out, operationName, result as OperationResult, waitForAck);
          send(out);
          done();
        };
        // msg.gws belongs to this node: what an earlier GWS node wrote there is replaced.
        out.gws = { operationName };
        inFlight.add(entry);
        paint();
        (async () => {
          if (!server) throw new GwsError('notConfigured', { operation: operationName }, { statusCode: 1, reason: 'invalid' });
          if (server.configError) {
            throw new GwsError('badConfig', { operation: operationName, detail: server.configError }, { statusCode: 1, reason: 'badConfig' });
          }
          const empty = new Map<ParamName, string>();
          input = await resolveInput(msg, empty);
          const conn = await server.connect();
          const request = prepare(conn, input, empty);
          entry.referenceId = request.referenceId;
          out.gws = {
            operationName,
            recordHandle: request.recordHandle,
            referenceId: request.referenceId,
            request: request.body,
          };
          if (ended) return;
          const result = await conn.execute(request, {
            waitForAck,
            timeoutMs: timeoutMs ?? server.ackTimeoutMs,
            nodeId: node.id,
            signal: entry.abort.signal,
          });
          finish(undefined, result);
        })().catch((error: unknown) => {
          finish(error instanceof GwsError ? error : unexpected(operationName, error));
        });
      });

      node.on('close', (removed: boolean, done: () => void) => {
        closing = true;
        clearTimeout(paintTimer);
        // Rule 11: every message still waiting ends now, once, with "closed before the answer". On a full
        // deploy the Catch nodes of the old flow are already stopped, so the errors are also logged, once.
        const waiting = [...inFlight].map((entry) => entry.referenceId ?? '-');
        if (waiting.length > 0) {
          const shown = waiting.slice(0, 10).join(', ') + (waiting.length > 10 ? ', …' : '');
          node.warn(t(shared('warnings.closedWhileWaiting'), { count: waiting.length, referenceIds: shown }));
        }
        for (const entry of [...inFlight]) {
          const error = entry.referenceId
            ? new GwsError('closed', { operation: operationName, referenceId: entry.referenceId }, { referenceId: entry.referenceId, reason: 'rejected' })
            : new GwsError('closedBeforeSend', { operation: operationName }, { reason: 'rejected' });
          entry.fail(error);
          entry.abort.abort();
        }
        const finished = server ? server.deregister(user, removed) : Promise.resolve();
        finished
          .catch((error: unknown) => node.debug(`deregister: ${(error as Error).message}`))
          .finally(() => done());
      });
    }

    RED.nodes.registerType(type, ActionNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);

    /** The request, or the error that names the field; a field whose set property gave nothing says where it looked. */
    function prepare(conn: GwsConnection, input: OperationInput, empty: Map<ParamName, string>): PreparedRequest {
      try {
        return conn.prepare(operationName, input);
      } catch (error) {
        const param = error instanceof GwsError ? (error.params.param as ParamName | undefined) : undefined;
        if (param && empty.has(param) && (error as GwsError).code.startsWith('missing')) {
          throw new GwsError('propertyEmpty', { operation: operationName, param, source: empty.get(param) as string }, { statusCode: 1, reason: 'invalid' });
        }
        throw error;
      }
    }
  };
}

/** Where a property reads its value, as a user wrote it. */
function describeSource(property: TypedProperty): string {
  switch (property.type) {
    case 'msg':
    case 'flow':
    case 'global':
      return `${property.type}.${property.value}`;
    case 'env':
      return `\${${property.value}}`;
    case 'jsonata':
      return `JSONata ${property.value}`;
    default:
      return property.value;
  }
}

function errorInfo(error: GwsError): Partial<GwsMessageInfo> {
  const info: Partial<GwsMessageInfo> = {};
  if (error.statusCode !== undefined) info.statusCode = error.statusCode;
  if (error.httpStatus !== undefined) info.httpStatus = error.httpStatus;
  if (error.referenceId !== undefined) info.referenceId = error.referenceId;
  return info;
}

function unexpected(operation: string, error: unknown): GwsError {
  return new GwsError('unexpected', { operation, detail: error instanceof Error ? error.message : String(error) }, { reason: 'rejected' });
}

function writeOutput(msg: ActionOutputMessage, operationName: OperationName, result: OperationResult, waitForAck: boolean): void {
  const gws = msg.gws;
  gws.statusCode = result.accepted.statusCode;
  gws.elapsedMs = Math.round(result.elapsedMs * 1000) / 1000;
  if (!waitForAck || result.answer === undefined) {
    // Rule 10: the synchronous answer, topic = the operation.
    msg.payload = result.accepted as { statusCode: number };
    msg.topic = operationName;
    return;
  }
  const answer = result.answer;
  if (answer.userEvent !== undefined) gws.userEvent = answer.userEvent;
  if (answer.records !== undefined) {
    const payload: ChainPayload = { records: answer.records, end: answer.data };
    msg.payload = payload;
  } else {
    msg.payload = answer.data;
  }
  msg.topic = String(answer.data.notificationType);
}
