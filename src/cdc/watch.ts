import type { Json } from '../streams/record.js';

/**
 * One row of the watch table: which fields of which table are metered, and how. `fields` is a
 * comma-separated column list or `*numeric` (every column whose value is a number). Tags are
 * Open-Falcon's `k=v,k=v`.
 */
export interface WatchRule {
  id: number;
  db: string;
  tbl: string;
  fields: string;
  endpoint: string;
  step: number;
  counterType: 'GAUGE' | 'COUNTER';
  tags: string;
  aggregation: 'last' | 'sum' | 'max' | 'min';
}

/** The watch table, created when missing. */
export function watchTableDdl(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  id INT AUTO_INCREMENT PRIMARY KEY,
  db VARCHAR(64) NOT NULL,
  tbl VARCHAR(64) NOT NULL,
  fields VARCHAR(1024) NOT NULL DEFAULT '*numeric',
  endpoint VARCHAR(255) NOT NULL,
  step INT NOT NULL DEFAULT 60,
  counter_type ENUM('GAUGE','COUNTER') NOT NULL DEFAULT 'GAUGE',
  tags VARCHAR(1024) NOT NULL DEFAULT '',
  aggregation ENUM('last','sum','max','min') NOT NULL DEFAULT 'last',
  enabled TINYINT(1) NOT NULL DEFAULT 1
)`;
}

/** Why an enabled watch table row cannot be used, or undefined when it can. */
export function unusableReason(row: { [column: string]: Json }): string | undefined {
  if (Number(row.enabled) !== 1) return undefined;
  const missing = ['db', 'tbl', 'endpoint'].filter((c) => typeof row[c] !== 'string' || row[c] === '');
  if (missing.length > 0) return `${missing.join(', ')} must be set`;
  if (!(Number(row.step) > 0)) return `step must be a positive number of seconds, not ${JSON.stringify(row.step)}`;
  return undefined;
}

/** The rule a watch table row states, or undefined for a disabled or unusable row. */
export function watchRule(row: { [column: string]: Json }): WatchRule | undefined {
  if (Number(row.enabled) !== 1 || unusableReason(row) !== undefined) return undefined;
  const step = Number(row.step);
  if (typeof row.db !== 'string' || typeof row.tbl !== 'string' || typeof row.endpoint !== 'string') return undefined;
  return {
    id: Number(row.id),
    db: row.db,
    tbl: row.tbl,
    fields: typeof row.fields === 'string' ? row.fields : '*numeric',
    endpoint: row.endpoint,
    step,
    counterType: row.counter_type === 'COUNTER' ? 'COUNTER' : 'GAUGE',
    tags: typeof row.tags === 'string' ? row.tags : '',
    aggregation: row.aggregation === 'sum' || row.aggregation === 'max' || row.aggregation === 'min' ? row.aggregation : 'last',
  };
}

/** The enabled watch rules, kept in binlog order as the watch table's own row changes arrive. */
export class WatchRules {
  private readonly byId = new Map<number, WatchRule>();

  /**
   * `changed` hears every row change of the watch table: the rule it adds or alters, or the id of
   * a row that gives no rule, with why when the row is enabled but unusable.
   */
  constructor(
    rules: readonly WatchRule[],
    private readonly changed?: (change: { rule: WatchRule } | { id: number; unusable?: string }) => void,
  ) {
    for (const r of rules) this.byId.set(r.id, r);
  }

  /** Applies one row change of the watch table. */
  apply(before: { [column: string]: Json } | null, after: { [column: string]: Json } | null): void {
    if (before !== null) this.byId.delete(Number(before.id));
    const rule = after === null ? undefined : watchRule(after);
    if (rule !== undefined) {
      this.byId.set(rule.id, rule);
      this.changed?.({ rule });
      return;
    }
    const row = after ?? before;
    const unusable = after === null ? undefined : unusableReason(after);
    if (row !== null) this.changed?.({ id: Number(row.id), ...(unusable === undefined ? {} : { unusable }) });
  }

  /** The rules for a table, as JSON for the record. */
  forTable(db: string, tbl: string): Json[] {
    return [...this.byId.values()].filter((r) => r.db === db && r.tbl === tbl).map((r) => ({ ...r }));
  }

  list(): WatchRule[] {
    return [...this.byId.values()].map((r) => ({ ...r }));
  }
}

/** Whether a checkpointed value is a list of watch rules. */
export function isWatchRules(value: unknown): value is WatchRule[] {
  return Array.isArray(value) && value.every((r) => typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'number');
}
