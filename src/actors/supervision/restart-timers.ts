interface Pending<T> {
  readonly members: Set<T>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Backoff timers of a supervisor: each pending restart covers a group of
 * children and fires once. A new group absorbs the pending groups it overlaps
 * (e.g. under `rest_for_one`, an earlier child's failure covers the pending
 * restart of a later one), so no child is ever restarted twice. Uses the
 * global `setTimeout`, so fake timers drive it.
 */
export class RestartTimers<T extends { readonly index: number }> {
  private readonly pending = new Set<Pending<T>>();

  /** Calls `fire` with the group, in start order, after `delayMs`. */
  schedule(group: readonly T[], delayMs: number, fire: (ordered: T[]) => void): void {
    const members = new Set(group);
    for (const p of [...this.pending]) {
      if (![...p.members].some((m) => members.has(m))) continue;
      clearTimeout(p.timer);
      this.pending.delete(p);
      for (const m of p.members) members.add(m);
    }
    const pending: Pending<T> = { members, timer: undefined };
    pending.timer = setTimeout(() => {
      this.pending.delete(pending);
      fire([...members].sort((a, b) => a.index - b.index));
    }, delayMs);
    this.pending.add(pending);
  }

  /** Cancels every pending restart. */
  cancelAll(): void {
    for (const p of this.pending) clearTimeout(p.timer);
    this.pending.clear();
  }
}
