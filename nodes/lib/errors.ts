/** Turning core errors into catalog texts, and into what a Catch node sees. */
import { GwsError, KIND_WORDS, listChoices } from '../../core/errors.js';
import { statusCodeMeaning } from '../../core/status-codes.js';
import { shared, type Translate } from './i18n.js';

/** The English kind words of the core, by their text, to look them up in the catalogs under words.<kind>. */
const KIND_BY_WORD = new Map<string, string>(Object.entries(KIND_WORDS).map(([kind, word]) => [word, kind]));
const TYPE_ENDING_IN = /^notification whose type ends in (\w+)$/;

/**
 * The error's text from the catalogs: the statusCode meaning, the words the core put in for values it
 * cannot quote ("an object"), "A or B" lists and the name of an undocumented answer are translated too.
 */
export function describeError(t: Translate, error: GwsError): string {
  const params: Record<string, string | number> = { ...error.params };
  if (typeof params.statusCode === 'number') params.meaning = translated(t, `statusCodes.${params.statusCode}`, statusCodeMeaning(params.statusCode));
  // Only the parameters the core fills with its own words: a field name or a campaign may be "text" too.
  for (const name of ['value', 'kind']) {
    const word = params[name];
    const kind = typeof word === 'string' ? KIND_BY_WORD.get(word) : undefined;
    if (kind !== undefined) params[name] = translated(t, `words.${kind}`, word as string);
  }
  if (params.notificationType === 'an error') params.notificationType = translated(t, 'words.anError', 'an error');
  if (typeof params.choices === 'string') {
    params.allowed = listChoices(params.choices.split('|'), translated(t, 'words.or', 'or'), translated(t, 'words.listSeparator', ', '));
  }
  const ending = typeof params.expected === 'string' ? TYPE_ENDING_IN.exec(params.expected) : null;
  if (ending) params.expected = translated(t, 'words.typeEndingIn', params.expected as string, { suffix: ending[1] });
  const key = shared(`errors.${error.code}`);
  const text = t(key, params);
  return text === key ? error.message : text;
}

function translated(t: Translate, key: string, fallback: string, params?: Record<string, string>): string {
  const text = t(shared(key), params);
  return text === shared(key) ? fallback : text;
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
