/** One step of an alignment of an expected list with an actual one. */
export type Step<E, A> = { op: 'same'; expected: E; actual: A } | { op: 'missing'; expected: E } | { op: 'extra'; actual: A };

/**
 * Aligns two lists by a longest common subsequence under `equal`: items that match in order are
 * `same`, the others `missing` (expected only) or `extra` (actual only). Within a gap, missing
 * items come before extra ones, so a changed item reads as `-` then `+`.
 *
 * @example
 * align([1, 2, 3], [1, 4, 3], (a, b) => a === b).map((s) => s.op); // ['same', 'missing', 'extra', 'same']
 */
export function align<E, A>(expected: readonly E[], actual: readonly A[], equal: (e: E, a: A) => boolean): Step<E, A>[] {
  const n = expected.length;
  const m = actual.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const at = (i: number, j: number): number => lcs[i]?.[j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      (lcs[i] as number[])[j] = equal(expected[i] as E, actual[j] as A) ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const steps: Step<E, A>[] = [];
  const missing: Step<E, A>[] = [];
  const extra: Step<E, A>[] = [];
  const flush = (): void => {
    steps.push(...missing.splice(0), ...extra.splice(0));
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && equal(expected[i] as E, actual[j] as A) && at(i, j) === at(i + 1, j + 1) + 1) {
      flush();
      steps.push({ op: 'same', expected: expected[i] as E, actual: actual[j] as A });
      i++;
      j++;
    } else if (j >= m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
      missing.push({ op: 'missing', expected: expected[i++] as E });
    } else {
      extra.push({ op: 'extra', actual: actual[j++] as A });
    }
  }
  flush();
  return steps;
}

/** How to print the items of a diff, and explain a changed one. */
export interface DiffStyle<E, A> {
  showExpected(e: E): string;
  showActual(a: A): string;
  /** Why `a` is not `e`, one line per difference: shown under a `-`/`+` pair. */
  explain?(e: E, a: A): string[];
}

/**
 * An alignment as lines: `  ` for items in both, `- ` expected only, `+ ` actual only; each
 * missing item followed in the same gap by an extra one is explained under the pair.
 */
export function renderSteps<E, A>(steps: readonly Step<E, A>[], style: DiffStyle<E, A>, indent = ''): string[] {
  const lines: string[] = [];
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k] as Step<E, A>;
    if (step.op === 'same') lines.push(`${indent}  ${style.showExpected(step.expected)}`);
    else if (step.op === 'extra') lines.push(`${indent}+ ${style.showActual(step.actual)}`);
    else {
      let gapEnd = k;
      while (steps[gapEnd + 1]?.op === 'missing') gapEnd++;
      const missing = steps.slice(k, gapEnd + 1) as { op: 'missing'; expected: E }[];
      let extraEnd = gapEnd;
      while (steps[extraEnd + 1]?.op === 'extra') extraEnd++;
      const extra = steps.slice(gapEnd + 1, extraEnd + 1) as { op: 'extra'; actual: A }[];
      missing.forEach((s, x) => {
        lines.push(`${indent}- ${style.showExpected(s.expected)}`);
        const pair = extra[x];
        if (pair === undefined) return;
        lines.push(`${indent}+ ${style.showActual(pair.actual)}`);
        for (const why of style.explain?.(s.expected, pair.actual) ?? []) lines.push(`${indent}    ${why}`);
      });
      for (const s of extra.slice(missing.length)) lines.push(`${indent}+ ${style.showActual(s.actual)}`);
      k = extraEnd;
    }
  }
  return lines;
}
