/** Where the core writes what it does. Node-RED nodes pass their own log methods; nothing goes to console. */
export interface Logger {
  warn(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
}

export const silentLogger: Logger = { warn() {}, debug() {}, trace() {} };
