/** Size and timestamp facts retention needs about a closed segment. */
export interface RetentionCandidate {
  size: number;
  maxTimestamp: number;
}

/**
 * How many of the oldest closed segments to delete. Only a prefix is ever
 * deleted so the log stays contiguous: age retention stops at the first
 * segment holding a record newer than `now - ms` (judged by the segment's
 * largest record timestamp); size retention then deletes while the
 * partition (closed + active bytes) is larger than `bytes`.
 */
export function countSegmentsToDelete(
  closed: readonly RetentionCandidate[],
  activeBytes: number,
  policy: { bytes: number | null; ms: number | null },
  now: number,
): number {
  let total = activeBytes;
  for (const s of closed) total += s.size;
  let n = 0;
  if (policy.ms !== null) {
    for (const s of closed) {
      if (now - s.maxTimestamp <= policy.ms) break;
      total -= s.size;
      n++;
    }
  }
  if (policy.bytes !== null) {
    for (; n < closed.length && total > policy.bytes; n++) total -= closed[n]?.size ?? 0;
  }
  return n;
}
