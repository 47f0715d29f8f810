/** The bundled GWS simulator, as a library. */
export { GwsSimulator, startSimulator, DEMO_USER, DEMO_PASSWORD, DEMO_DEVICE_PATH, ACK_TYPES } from './gws-simulator.js';
export type { SimulatorOptions, SimulatorConfig, SimulatorStats, SimUser, RecordedRequest } from './gws-simulator.js';
export type { FaultRule, AckFaultMode } from './faults.js';
export type { PreviewHandleIn } from './campaign-operations.js';
