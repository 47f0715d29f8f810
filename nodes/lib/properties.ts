/**
 * TypedInput properties of the action nodes. `str` and `num` values are read once; `msg`, `flow`,
 * `global` and `env` go through `RED.util.evaluateNodeProperty` (with its callback: context stores may
 * be asynchronous); a `jsonata` expression is prepared once at deploy time.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import type { TypedInputType } from './types.js';

type Expression = ReturnType<NodeAPI['util']['prepareJSONataExpression']>;

export const TYPED_INPUT_TYPES: readonly TypedInputType[] = ['msg', 'flow', 'global', 'str', 'num', 'env', 'jsonata', 'json'];

export interface TypedProperty {
  type: TypedInputType;
  value: string;
  expression?: Expression;
  /** Why the property cannot be used (an expression that does not compile, an unknown type). */
  problem?: string;
}

/** The property as configured; undefined when unset (missing or ''). */
export function typedProperty(RED: NodeAPI, node: Node, value: unknown, type: unknown): TypedProperty | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const kind = (typeof type === 'string' && type !== '' ? type : 'str') as TypedInputType;
  const text = String(value);
  if (!TYPED_INPUT_TYPES.includes(kind)) return { type: kind, value: text, problem: `unknown type ${kind}` };
  if (kind !== 'jsonata') return { type: kind, value: text };
  try {
    return { type: kind, value: text, expression: RED.util.prepareJSONataExpression(text, node) };
  } catch (error) {
    return { type: kind, value: text, problem: (error as Error).message };
  }
}

/** The value of a property for one message. Rejects with the evaluation error. */
export function evaluateProperty(RED: NodeAPI, node: Node, property: TypedProperty, msg: NodeMessage): Promise<unknown> {
  if (property.problem !== undefined) return Promise.reject(new Error(property.problem));
  switch (property.type) {
    case 'str':
      return Promise.resolve(property.value);
    case 'num': {
      const number = Number(property.value);
      return Promise.resolve(property.value.trim() === '' || Number.isNaN(number) ? property.value : number);
    }
    case 'jsonata':
      return new Promise((resolve, reject) => {
        RED.util.evaluateJSONataExpression(property.expression as Expression, msg, (error, result) => (error ? reject(error) : resolve(result)));
      });
    case 'msg':
      // A path through a part of the message that is not there (msg.a.b without msg.a) is simply unset.
      try {
        return Promise.resolve(RED.util.getMessageProperty(msg, property.value));
      } catch (error) {
        return error instanceof TypeError ? Promise.resolve(undefined) : Promise.reject(error);
      }
    default:
      return new Promise((resolve, reject) => {
        RED.util.evaluateNodeProperty(property.value, property.type, node, msg, (error: Error | null, result: unknown) =>
          error ? reject(error) : resolve(result),
        );
      });
  }
}

/** Rule 2: a number or a numeric string; empty, 0 or anything else means "use the default". */
export function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

/** Where a property reads its value, as a user wrote it (for "which gave nothing" errors). */
export function describeSource(property: TypedProperty): string {
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
