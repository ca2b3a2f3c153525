/**
 * The per app and day summary that `millrace report` reads instead of scanning every row: events
 * per (app, day, event) in `<table>_counts`, and the distinct users of each (app, day) as a set
 * in `<table>_users`. The database sink keeps it in the transaction that stores the rows, from
 * the rows that were new, so a replayed batch counts once and a crash leaves rows and summary
 * consistent (docs/decisions/log-pipeline.md, "Report from a summary").
 */
export interface SummaryTables {
  counts: string;
  users: string;
}

export function summaryTables(table: string): SummaryTables {
  return { counts: `${table}_counts`, users: `${table}_users` };
}

/** What a batch's new rows add to the summary: one upsert per (app, day, event), one set insert per (app, day, user). */
export class SummaryTally {
  private readonly counts = new Map<string, { app: string; day: string; event: string; n: number }>();
  private readonly users = new Map<string, { app: string; day: string; user: string }>();

  add(app: string, day: string, event: string, user: string | null): void {
    const key = `${app}\u0000${day}\u0000${event}`;
    const entry = this.counts.get(key);
    if (entry === undefined) this.counts.set(key, { app, day, event, n: 1 });
    else entry.n += 1;
    if (user !== null) {
      const who = `${app}\u0000${day}\u0000${user}`;
      if (!this.users.has(who)) this.users.set(who, { app, day, user });
    }
  }

  countRows(): Iterable<{ app: string; day: string; event: string; n: number }> {
    return this.counts.values();
  }

  userRows(): Iterable<{ app: string; day: string; user: string }> {
    return this.users.values();
  }
}
