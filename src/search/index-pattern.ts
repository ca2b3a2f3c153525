/** Date fields an index pattern may use inside `{...}`, in the record's event time (UTC). */
const FIELDS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  yy: (d) => String(d.getUTCFullYear() % 100).padStart(2, '0'),
  MM: (d) => String(d.getUTCMonth() + 1).padStart(2, '0'),
  dd: (d) => String(d.getUTCDate()).padStart(2, '0'),
  HH: (d) => String(d.getUTCHours()).padStart(2, '0'),
};
const FIELD = /yyyy|yy|MM|dd|HH/g;
const PLACEHOLDER = /\{([^{}]*)\}/g;
/** What OpenSearch accepts as an index name (lowercase, no `\/*?"<>| ,#:`, not starting with `-_+`). */
const INDEX_NAME = /^[a-z0-9][a-z0-9._+-]*$/;
const HOUR_MS = 3_600_000;

/** Why `pattern` cannot name indices, or undefined when it can. */
export function indexPatternProblem(pattern: string): string | undefined {
  for (const [, inner] of pattern.matchAll(PLACEHOLDER)) {
    const rest = (inner ?? '').replace(FIELD, '');
    if (inner === '' || /[a-zA-Z]/.test(rest)) return `{${inner}} is not a date pattern: use yyyy, yy, MM, dd and HH with separators, e.g. {yyyy.MM.dd}`;
  }
  const sample = pattern.replace(PLACEHOLDER, (_, inner: string) => inner.replace(FIELD, (f) => '0'.repeat(f.length)));
  if (!INDEX_NAME.test(sample) || sample.length > 255) return 'an index name is lowercase letters, digits, ".", "_", "-" and "+", starts with a letter or digit, and has at most 255 bytes';
  return undefined;
}

/**
 * The index of a record's event time under a pattern such as `logs-{yyyy.MM.dd}`. Names are
 * cached per hour (the finest field), so formatting costs nothing for most records.
 */
export class IndexPattern {
  private readonly dated: boolean;
  private hour = Number.NaN;
  private name = '';

  constructor(private readonly pattern: string) {
    this.dated = pattern.includes('{');
  }

  /** The index for event time `ts` (ms since the epoch); undefined for a time that is no date. */
  indexFor(ts: number): string | undefined {
    if (!this.dated) return this.pattern;
    if (!Number.isFinite(ts)) return undefined;
    const hour = Math.floor(ts / HOUR_MS);
    if (hour !== this.hour) {
      const date = new Date(hour * HOUR_MS);
      if (Number.isNaN(date.getTime())) return undefined;
      this.name = this.pattern.replace(PLACEHOLDER, (_, inner: string) => inner.replace(FIELD, (f) => (FIELDS[f] as (d: Date) => string)(date)));
      this.hour = hour;
    }
    return this.name;
  }
}
