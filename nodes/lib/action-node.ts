/**
 * What the action nodes share (gws-complete-record, gws-get-chained-record, gws-outbound-record,
 * gws-outbound-campaign): pick the operation (fixed, or msg.operation), resolve its parameters
 * (TypedInput, then msg.payload.<name>, then the server node's defaults), send it through the server's
 * connection, and end every input message exactly once: one output message or one error — whatever the
 * message holds, whichever JavaScript context made it, and also when the node closes.
 */
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ConnectionState, GwsConnection } from '../../core/connection.js';
import { GwsError, KIND_WORDS, kindOf, showValue } from '../../core/errors.js';
import { NODE_OPERATIONS, operationParams, paramsOf, type ActionNodeType, type OperationName } from '../../core/operation-table.js';
import { isOperationName, isUnset, PARAMS_WITH_DEFAULT, type OperationInput, type ParamName, type PreparedRequest } from '../../core/operations.js';
import { NodeError } from './errors.js';
import { shared, translator } from './i18n.js';
import { copyMessage, errorText, isObjectLike, readOwn, writeMessage } from './message.js';
import { outputOf } from './output.js';
import { describeSource, evaluateProperty, positiveNumber, typedProperty, type TypedProperty } from './properties.js';
import { connectionStatus, failureStatus, waitingStatus } from './status.js';
import type { ActionNodeDef, GwsMessageInfo, GwsServerNode, ServerUser } from './types.js';

type Send = (msg: NodeMessage) => void;
type Done = (err?: Error) => void;

const STATUS_INTERVAL_MS = 100;
/** The operation setting that reads msg.operation. */
const FROM_MSG = 'msg';

/** What resolving the parameters noticed, to explain a missing one. */
interface InputNotes {
  /** Set when msg.payload is there but not an object: what it is. */
  payloadKind?: string;
}

interface InFlight {
  /** Known once the message's operation is (a node reading msg.operation has no operation of its own). */
  operation?: OperationName;
  referenceId?: string;
  /** Set once the request is checked and on its way: only such messages count in `waiting (n)`. */
  sending?: boolean;
  abort: AbortController;
  /** Ends the message with this error unless it has ended already. */
  fail(error: GwsError): void;
}

export function actionNode(type: ActionNodeType) {
  const operations: readonly OperationName[] = NODE_OPERATIONS[type];
  const selectable = operations.length > 1;
  const allowed = operations.join(', ');

  return function register(RED: NodeAPI): void {
    const t = translator(RED);

    function ActionNode(this: Node, def: ActionNodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const server = (def.server ? RED.nodes.getNode(def.server) : null) as GwsServerNode | null;
      // A node saved without an operation (older export, Admin API) does what its dialog shows: the first one.
      const setting = selectable && !isUnset(def.operation) ? String(def.operation) : operations[0];
      const fromMsg = setting === FROM_MSG;
      const fixed = !fromMsg && (operations as readonly string[]).includes(setting) ? (setting as OperationName) : undefined;
      if (!fromMsg && fixed === undefined) node.warn(t(shared('warnings.badOperation'), { value: JSON.stringify(setting), allowed }));
      const properties = new Map<ParamName, TypedProperty>();
      for (const param of paramsOf(operations)) {
        const property = typedProperty(RED, node, def[param], def[`${param}Type`]);
        if (property) properties.set(param, property);
        if (property?.problem) node.warn(t(shared('warnings.badProperty'), { param, detail: property.problem }));
      }
      const waitForAck = !(def.waitForAck === false || def.waitForAck === 'false');
      const timeoutMs = positiveNumber(def.timeout);
      const inFlight = new Set<InFlight>();
      /** Messages of inFlight whose request is on its way (a message refused before sending never shows as waiting). */
      let sending = 0;
      let connection: ConnectionState = { status: 'disconnected' };
      let lastFailure: GwsError['reason'] | undefined;
      let warnedOverride = false;

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
        if (sending > 0) {
          showingWaiting = true;
          return node.status(waitingStatus(t, sending));
        }
        if (lastFailure) return node.status(failureStatus(lastFailure));
        node.status(connectionStatus(connection));
      };
      const paint = () => {
        if (closing) return;
        if (showingWaiting && sending > 0 && connection.status !== 'failed') {
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

      /** The operation of this message: the node's, or msg.operation when the node says so. */
      function operationOf(msg: NodeMessageInFlow): OperationName {
        const read = readOwn(msg, 'operation');
        if (fixed !== undefined) {
          const asked = read.ok ? read.value : undefined;
          if (!warnedOverride && selectable && typeof asked === 'string' && asked !== '' && asked !== fixed) {
            warnedOverride = true;
            node.warn(t(shared('warnings.operationOverride'), { value: JSON.stringify(asked.slice(0, 60)), operation: fixed }));
          }
          return fixed;
        }
        const source = fromMsg ? 'msg.operation' : 'operation';
        if (!read.ok) throw new GwsError('unreadable', { operation: type, param: 'msg.operation', detail: read.error }, { statusCode: 1, reason: 'invalid' });
        const value = fromMsg ? read.value : setting;
        if (isOperationName(value) && (operations as readonly string[]).includes(value)) return value;
        throw new GwsError(fromMsg ? 'unknownOperation' : 'badOperationSetting', { operation: type, source, value: showValue(value), allowed }, {
          statusCode: 1,
          reason: 'invalid',
        });
      }

      /**
       * Rule 1 and the contract: the property, else msg.payload.<name>, else the server default. `empty`
       * collects the parameters whose property is set but gave nothing, to say so if one is then missing.
       */
      async function resolveInput(operation: OperationName, msg: NodeMessageInFlow, empty: Map<ParamName, string>, notes: InputNotes): Promise<OperationInput> {
        const payloadRead = readOwn(msg, 'payload');
        if (!payloadRead.ok) throw new GwsError('unreadable', { operation, param: 'msg.payload', detail: payloadRead.error }, { statusCode: 1, reason: 'invalid' });
        const payload = payloadRead.ok && isObjectLike(payloadRead.value) ? payloadRead.value : undefined;
        if (payloadRead.ok && payload === undefined && !isUnset(payloadRead.value)) notes.payloadKind = KIND_WORDS[kindOf(payloadRead.value)];
        const input: OperationInput = {};
        for (const param of operationParams(operation)) {
          const property = properties.get(param);
          let value: unknown;
          if (property) {
            try {
              value = await evaluateProperty(RED, node, property, msg);
            } catch (error) {
              throw new GwsError('badExpression', { operation, param, detail: errorText(error) }, { statusCode: 1, reason: 'invalid' });
            }
            if (isUnset(value)) empty.set(param, describeSource(property));
          } else if (payload !== undefined) {
            const read = readOwn(payload, param);
            if (!read.ok) throw new GwsError('unreadable', { operation, param: `msg.payload.${param}`, detail: read.error }, { statusCode: 1, reason: 'invalid' });
            value = read.value;
            // The answer of an earlier GWS node carries that request's referenceId in msg.payload; a node
            // wired after it sends a request of its own (rule 13: a referenceId is one request).
            if (param === 'referenceId' && !isUnset(value) && value === answeredReference(msg)) value = undefined;
          }
          if (isUnset(value) && server && PARAMS_WITH_DEFAULT.includes(param)) {
            value = server.defaults[param as keyof GwsServerNode['defaults']];
          }
          input[param] = value;
        }
        return input;
      }

      node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
        let ended = false;
        let operationName: OperationName | undefined;
        let input: OperationInput | undefined;
        let gws: Partial<GwsMessageInfo> = {};
        const entry: InFlight = {
          abort: new AbortController(),
          fail(error) {
            finish(error);
          },
        };
        /** Ends the message once: the output, or the error for Catch nodes. Never throws. */
        const finish = (error?: GwsError, output?: Record<string, unknown>) => {
          if (ended) return;
          ended = true;
          inFlight.delete(entry);
          if (entry.sending) sending--;
          lastFailure = error?.reason;
          paint();
          try {
            if (error) {
              const info: Partial<GwsMessageInfo> = { ...gws, ...errorInfo(error) };
              // Not sent, but the caller's own referenceId is known: keep it for the Catch flow.
              if (info.referenceId === undefined && typeof input?.referenceId === 'string' && input.referenceId !== '') info.referenceId = input.referenceId;
              fail(msg, info, new NodeError(t, error), done);
            } else {
              const out = writeMessage(msg, output as Record<string, unknown>);
              send(out);
              done();
            }
          } catch (failure) {
            // Only a fault of the runtime or of this node gets here: say so once, never lose the message.
            node.error(t(shared('errors.unexpected'), { operation: operationName ?? type, detail: errorText(failure) }), copyMessage(msg));
          }
        };
        inFlight.add(entry);
        (async () => {
          const operation = operationOf(msg);
          operationName = operation;
          entry.operation = operation;
          gws = { operationName: operation };
          if (!server) throw new GwsError('notConfigured', { operation }, { statusCode: 1, reason: 'invalid' });
          if (server.configError) throw new GwsError('badConfig', { operation, detail: server.configError }, { statusCode: 1, reason: 'badConfig' });
          const empty = new Map<ParamName, string>();
          const notes: InputNotes = {};
          input = await resolveInput(operation, msg, empty, notes);
          const conn = await server.connect();
          const request = prepare(conn, operation, input, empty, notes);
          entry.referenceId = request.referenceId;
          gws = { operationName: operation, recordHandle: request.recordHandle, referenceId: request.referenceId, request: request.body };
          if (ended) return;
          entry.sending = true;
          sending++;
          paint();
          const result = await conn.execute(request, {
            waitForAck,
            timeoutMs: timeoutMs ?? server.ackTimeoutMs,
            nodeId: node.id,
            signal: entry.abort.signal,
          });
          finish(undefined, outputOf(result, waitForAck));
        })().catch((error: unknown) => {
          finish(error instanceof GwsError ? error : unexpected(operationName ?? type, error));
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
          node.warn(waiting.length === 1
            ? t(shared('warnings.closedWhileWaitingOne'), { referenceId: shown })
            : t(shared('warnings.closedWhileWaiting'), { count: waiting.length, referenceIds: shown }));
        }
        for (const entry of [...inFlight]) {
          const operation = entry.operation ?? fixed ?? type;
          const error = entry.referenceId
            ? new GwsError('closed', { operation, referenceId: entry.referenceId }, { referenceId: entry.referenceId, reason: 'rejected' })
            : new GwsError('closedBeforeSend', { operation }, { reason: 'rejected' });
          entry.fail(error);
          entry.abort.abort();
        }
        const finished = server ? server.deregister(user, removed) : Promise.resolve();
        finished
          .catch((error: unknown) => node.debug(`deregister: ${errorText(error)}`))
          .finally(() => done());
      });

      /**
       * The error for Catch nodes with msg.gws: through done(err) when the message takes msg.gws, else (a
       * message that refuses it, or one Node-RED cannot copy for its Catch nodes) as node.error with a
       * plain copy of the message, then done().
       */
      function fail(msg: NodeMessageInFlow, info: Partial<GwsMessageInfo>, error: NodeError, done: Done): void {
        const out = writeMessage(msg, { gws: info });
        if (out === msg) {
          try {
            done(error);
            return;
          } catch {
            // Node-RED could not hand this message to the Catch nodes (it copies each message for them).
          }
        }
        node.error(error, out === msg ? Object.assign(copyMessage(msg), { gws: info }) : out);
        done();
      }
    }

    RED.nodes.registerType(type, ActionNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);

    /** The request, or the error that names the field; a field whose set property gave nothing says where it looked. */
    function prepare(conn: GwsConnection, operation: OperationName, input: OperationInput, empty: Map<ParamName, string>, notes: InputNotes): PreparedRequest {
      try {
        return conn.prepare(operation, input);
      } catch (error) {
        const param = error instanceof GwsError ? (error.params.param as ParamName | undefined) : undefined;
        if (param && (error as GwsError).code.startsWith('missing')) {
          if (empty.has(param)) {
            throw new GwsError('propertyEmpty', { operation, param, source: empty.get(param) as string }, { statusCode: 1, reason: 'invalid' });
          }
          // The parameter was looked for in msg.payload, which is not an object (JSON text, say).
          if (notes.payloadKind !== undefined) {
            throw new GwsError('payloadNotObject', { operation, param, kind: notes.payloadKind }, { statusCode: 1, reason: 'invalid' });
          }
        }
        throw error;
      }
    }
  };
}

function errorInfo(error: GwsError): Partial<GwsMessageInfo> {
  const info: Partial<GwsMessageInfo> = {};
  if (error.statusCode !== undefined) info.statusCode = error.statusCode;
  if (error.httpStatus !== undefined) info.httpStatus = error.httpStatus;
  if (error.referenceId !== undefined) info.referenceId = error.referenceId;
  return info;
}

function unexpected(operation: string, error: unknown): GwsError {
  return new GwsError('unexpected', { operation, detail: errorText(error) }, { reason: 'rejected' });
}
/** The referenceId of the request whose answer this message carries (msg.gws of an earlier action node). */
function answeredReference(msg: NodeMessageInFlow): unknown {
  const gws = readOwn(msg, 'gws');
  const reference = gws.ok ? readOwn(gws.value, 'referenceId') : undefined;
  return reference?.ok ? reference.value : undefined;
}
