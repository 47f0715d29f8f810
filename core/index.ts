/** The protocol core: plain TypeScript, no Node-RED. */
export { GwsConnection } from './connection.js';
export type { ConnectionOptions, ConnectionState, ExecuteOptions, OperationResult, TaggedNotification } from './connection.js';
export { GwsSession, parseBaseUrl } from './session.js';
export type { SessionOptions, TlsOptions } from './session.js';
export { Correlator } from './correlator.js';
export type { CorrelatedAnswer, CorrelationInfo, CorrelatorStats, Expectation } from './correlator.js';
export { prepareRequest, recordPath, isUnset, OPERATIONS, PARAMS_WITH_DEFAULT, LIMITS } from './operations.js';
export type { OperationInput, ParamName, PreparedRequest } from './operations.js';
export { GwsError, ERROR_TEXTS, renderTemplate } from './errors.js';
export type { GwsErrorCode, FailureReason } from './errors.js';
export { GWS_STATUS_CODES, statusCodeMeaning } from './status-codes.js';
export { CALL_RESULTS, parseCallResult } from './call-results.js';
export type { CallResultFormat } from './call-results.js';
export { SessionCookieJar } from './cookie-jar.js';
export { loadEsmDeps } from './esm-deps.js';
export type { Logger } from './logger.js';
export * from './wire-types.js';
