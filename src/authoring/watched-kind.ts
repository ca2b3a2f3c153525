import type { KindDefinition } from '../actors/kind.js';

/**
 * The same kind, telling `onCreateError` when creating an actor of it throws (a map module that
 * cannot be loaded, a config the kind rejects) before the error goes on to the supervisor as
 * usual. A test run uses it to fail at once with the cause, rather than after every restart and
 * escalation. Everything else is the kind's own.
 *
 * @example
 * const kind = watchedKind(mapKind, (id, error) => console.error(`${id} cannot start`, error));
 */
export function watchedKind(kind: KindDefinition, onCreateError: (actor: string, error: unknown) => void): KindDefinition {
  const create = kind.create.bind(kind) as (config: unknown, ctx: { id: string }) => unknown;
  return {
    ...kind,
    async create(config: unknown, ctx: { id: string }) {
      try {
        return await create(config, ctx);
      } catch (error) {
        onCreateError(ctx.id, error);
        throw error;
      }
    },
  } as unknown as KindDefinition;
}
