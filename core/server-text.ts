/**
 * Text that comes from the server (statusMessage, error notifications, HTTP bodies) before it goes into
 * a log line, an error text or a status: control characters (line breaks included, which would forge
 * extra log lines), Unicode line separators and bidirectional overrides become spaces, runs of space
 * collapse, and the length is capped.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/g;

/** Default cap for one server-provided text. */
export const SERVER_TEXT_MAX = 300;

export function serverText(value: unknown, max = SERVER_TEXT_MAX): string {
  const text = (typeof value === 'string' ? value : String(value)).replace(UNSAFE, ' ').replace(/\s{2,}/g, ' ').trim();
  if (text.length <= max) return text.isWellFormed() ? text : text.toWellFormed();
  const cut = text.slice(0, Math.max(0, max - 1));
  return `${cut.toWellFormed()}…`;
}
