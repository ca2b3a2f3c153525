import type { Strategy } from './types.js';

/** The part of a child entry that restart strategies look at. */
export interface Ordered {
  /** Position in start order. */
  readonly index: number;
  /** Dropped from the supervisor (an ended temporary child). */
  readonly removed: boolean;
}

/**
 * The children restarted together when `failed` has to be restarted, in
 * start order (OTP `restart/3`): only it for `one_for_one`, every child for
 * `one_for_all`, it and the children after it for `rest_for_one`.
 */
export function restartGroup<T extends Ordered>(
  strategy: Strategy,
  children: readonly T[],
  failed: T,
): T[] {
  switch (strategy) {
    case 'one_for_one':
      return [failed];
    case 'one_for_all':
      return children.filter((c) => !c.removed);
    case 'rest_for_one':
      return children.filter((c) => !c.removed && c.index >= failed.index);
  }
}
