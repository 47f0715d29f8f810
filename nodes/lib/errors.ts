/** Turning core errors into catalog texts, and into what a Catch node sees. */
import { GwsError } from '../../core/errors.js';
import { statusCodeMeaning } from '../../core/status-codes.js';
import { shared, type Translate } from './i18n.js';

/** The error's text from the catalogs (with the statusCode meaning translated too). */
export function describeError(t: Translate, error: GwsError): string {
  const params: Record<string, string | number> = { ...error.params };
  if (typeof params.statusCode === 'number') {
    const key = shared(`statusCodes.${params.statusCode}`);
    const meaning = t(key);
    params.meaning = meaning === key ? statusCodeMeaning(params.statusCode) : meaning;
  }
  const key = shared(`errors.${error.code}`);
  const text = t(key, params);
  return text === key ? error.message : text;
}

/** An Error whose message is the translated text, keeping code and details for programs. */
export class NodeError extends Error {
  readonly code: string;
  readonly statusCode?: number;
  readonly httpStatus?: number;
  readonly referenceId?: string;

  constructor(t: Translate, error: GwsError) {
    super(describeError(t, error));
    this.name = 'GwsError';
    this.code = error.code;
    this.statusCode = error.statusCode;
    this.httpStatus = error.httpStatus;
    this.referenceId = error.referenceId;
  }

  /** Node-RED hands `toString()` to Catch nodes and the log: the text alone, without an "Error:" prefix. */
  override toString(): string {
    return this.message;
  }
}
