/**
 * GWS `statusCode` values, as every JSON answer of the Web Services API carries them.
 * The meanings are the reference English texts; the node catalogs translate them under `statusCodes.<n>`.
 */
export const GWS_STATUS_CODES = {
  0: 'ok',
  1: 'missing or invalid parameter',
  2: 'invalid state',
  3: 'operation forbidden',
  4: 'internal error',
  5: 'no permission',
  6: 'resource not found',
  7: 'partial success',
  8: 'password change required',
  9: 'incomplete',
  10: 'validation failed',
  11: 'read-only',
  12: 'unable to retrieve',
  13: 'unable to create',
  14: 'unable to delete',
  15: 'unable to update',
  16: 'unable to assign',
  17: 'unable to unassign',
  18: 'already exists',
  19: 'in use',
  20: 'not authenticated / access denied',
} as const;

export type GwsStatusCode = keyof typeof GWS_STATUS_CODES;

/** The meaning of a status code, or `unknown status code` for a value outside the table. */
export function statusCodeMeaning(code: number): string {
  return Object.hasOwn(GWS_STATUS_CODES, code) ? GWS_STATUS_CODES[code as GwsStatusCode] : 'unknown status code';
}
