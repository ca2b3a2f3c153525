/** Quality windows: one minute of event time (a record's `ts`: the agent's stamp, else the gateway's arrival time). */
export const WINDOW_MS = 60_000;

/** Start (ms since the epoch) of the window holding event time `ts`. */
export const windowOf = (ts: number): number => Math.floor(ts / WINDOW_MS) * WINDOW_MS;

/** Latency histogram buckets grow by 10%: bucket b holds latencies in (1.1^(b-1), 1.1^b] ms, bucket 0 up to 1 ms. */
const GROWTH = 1.1;

/** The histogram bucket of a latency in ms (a negative one, from clock skew, counts as 0). */
export function latencyBucket(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(GROWTH));
}

/** The upper bound in ms of bucket `b`: what a percentile falling in it reports (within 10%). */
export const bucketBound = (b: number): number => Math.round(GROWTH ** b);

/** The `q` quantile (0..1) of a histogram (bucket -> records), as its bucket's bound; null when empty. */
export function quantile(histogram: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const b of [...histogram.keys()].sort((x, y) => x - y)) {
    seen += histogram.get(b) as number;
    if (seen >= rank) return bucketBound(b);
  }
  return null;
}
