const HOUR = 3_600_000;

/** An hour partition: its directory below the table (`dt=2026-12-06/hour=03`) and its end (ms, exclusive). */
export interface HourPartition {
  readonly key: string;
  readonly end: number;
}

/** The last partition asked for: rows mostly come in time order, so most calls are answered here. */
let last: HourPartition = { key: '', end: -Infinity };

/** The UTC hour partition an event time falls in. */
export function hourPartition(ms: number): HourPartition {
  const start = Math.floor(ms / HOUR) * HOUR;
  if (last.end === start + HOUR) return last;
  const iso = new Date(start).toISOString();
  last = { key: `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`, end: start + HOUR };
  return last;
}
