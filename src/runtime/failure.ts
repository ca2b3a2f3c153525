import { ActorFailed } from '../actors/actor-failed.js';
import { RestartIntensityExceeded } from '../actors/supervision/intensity.js';
import { causes, errorMessage, isInvalidConfig } from '../core/errors.js';

/**
 * One line saying why a run failed, for the log and the terminal: the actor (kind, id, replica)
 * and its own error, and how supervision gave up.
 *
 * @example
 * failureSummary(error);
 * // "map actor 'enrich' (replica 0): cannot load map module /t/enrich.mjs: ... (invalid configuration: not restarted)"
 */
export function failureSummary(error: unknown): string {
  const chain = causes(error);
  const actor = chain.find((e): e is ActorFailed => e instanceof ActorFailed);
  const what = actor?.message ?? errorMessage(chain[chain.length - 1]);
  if (isInvalidConfig(error)) return `${what} (invalid configuration: not restarted)`;
  const limits = chain.filter((e): e is RestartIntensityExceeded => e instanceof RestartIntensityExceeded);
  const inner = limits[limits.length - 1];
  if (inner === undefined) return what;
  return `${what} (restart intensity exceeded: more than ${inner.maxRestarts} restarts of '${inner.supervisor}' within ${inner.periodMs} ms)`;
}
