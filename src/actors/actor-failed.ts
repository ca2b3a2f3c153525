import { errorMessage } from '../core/errors.js';

/** Why one replica of an actor crashed: its kind, id and replica around the kind's own error. */
export class ActorFailed extends Error {
  constructor(
    readonly kind: string,
    readonly actor: string,
    readonly replica: number,
    cause: unknown,
  ) {
    super(`${kind} actor '${actor}' (replica ${replica}): ${errorMessage(cause)}`, { cause });
    this.name = 'ActorFailed';
  }
}
