const HOUR = 3_600_000;

/** An hour partition: its directory below the table (`dt=2026-12-06/hour=03`) and its end (ms, exclusive). */
export interface HourPartition {
  readonly key: string;
  readonly end: number;
}

/** The UTC hour partition an event time falls in. */
export function hourPartition(ms: number): HourPartition {
  const start = Math.floor(ms / HOUR) * HOUR;
  const iso = new Date(start).toISOString();
  return { key: `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`, end: start + HOUR };
}
