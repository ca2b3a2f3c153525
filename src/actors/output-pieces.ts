import type { StageIO, StageOutput } from './io.js';

/** A stage's output as pieces to pull: a streamed output as it is, a plain one as one piece. */
export function outputPieces(out: ReturnType<StageIO['process']>): AsyncIterator<StageOutput> {
  if (typeof out === 'object' && out !== null && Symbol.asyncIterator in out) return out[Symbol.asyncIterator]();
  let given = false;
  return {
    async next() {
      if (given) return { done: true, value: undefined };
      given = true;
      return { done: false, value: await out };
    },
  };
}
