export { backoffDelay, type BackoffParams } from './backoff.js';
export { RestartIntensity, RestartIntensityExceeded } from './intensity.js';
export {
  backoffSchema,
  intensitySchema,
  restartTypeSchema,
  strategySchema,
  supervisionSchema,
  type SupervisionConfig,
} from './schema.js';
export { Supervisor } from './supervisor.js';
export type {
  BackoffOptions,
  ChildExit,
  ChildHandle,
  ChildSpec,
  IntensityOptions,
  RestartType,
  Strategy,
  SupervisorEvent,
  SupervisorOptions,
} from './types.js';
