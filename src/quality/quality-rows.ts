import { quantile, WINDOW_MS } from './window.js';

/** The hop name of a sink's deliveries; the gateway's is {@link RECEIVED_HOP}. */
export const sinkHop = (sink: string): string => `sink:${sink}`;
export const RECEIVED_HOP = 'gateway';

/** open: within the window's grace period; ok: every received record delivered; lost: fewer delivered after the grace period. */
export type QualityState = 'open' | 'ok' | 'lost';

/** One stream's window, for one of its sinks. */
export interface QualityRow {
  stream: string;
  /** Start of the minute of event time, ms since the epoch. */
  windowStart: number;
  sink: string;
  /** Records the gateway accepted (stored in Kafka and answered). */
  received: number;
  /** Records the sink stored, each counted once. */
  delivered: number;
  /** Records handed to the sink again after a dispatcher restart, recognised by their Kafka offset. */
  duplicated: number;
  /** received - delivered, when positive. */
  lost: number;
  /** delivered - received, when positive: records in Kafka the gateway never counted (produced to the topic directly). */
  extra: number;
  /** Event time to delivery, from the sink's latency histogram (within 10%); null without deliveries. */
  p50Ms: number | null;
  p99Ms: number | null;
  state: QualityState;
}

/** One hop's counts in a window, as stored. */
export interface HopCount {
  stream: string;
  windowStart: number;
  hop: string;
  records: number;
  duplicates: number;
  /** When the hop last counted records of this window (ms since the epoch). */
  updatedMs: number;
}

/** One latency bucket of a hop's window, as stored. */
export interface LatencyCount {
  stream: string;
  windowStart: number;
  hop: string;
  bucket: number;
  records: number;
}

const at = (stream: string, windowStart: number, hop: string): string => `${stream}\n${windowStart}\n${hop}`;

/**
 * Joins the hops' counts into quality rows: one per stream, window and sink, the sinks being
 * those the registry names for the stream plus any that counted deliveries. A window is judged
 * once `graceMs` has passed after its end and after the gateway last received records of it (so
 * records sent late, e.g. an agent's backlog, get their grace period too).
 */
export function joinQuality(counts: readonly HopCount[], latency: readonly LatencyCount[], sinksOf: ReadonlyMap<string, readonly string[]>, now: number, graceMs: number): QualityRow[] {
  const byHop = new Map(counts.map((c) => [at(c.stream, c.windowStart, c.hop), c]));
  const histograms = new Map<string, Map<number, number>>();
  for (const l of latency) {
    const key = at(l.stream, l.windowStart, l.hop);
    const h = histograms.get(key) ?? new Map<number, number>();
    h.set(l.bucket, (h.get(l.bucket) ?? 0) + l.records);
    histograms.set(key, h);
  }
  const windows = new Map<string, { stream: string; windowStart: number; sinks: Set<string> }>();
  for (const c of counts) {
    const key = `${c.stream}\n${c.windowStart}`;
    const w = windows.get(key) ?? { stream: c.stream, windowStart: c.windowStart, sinks: new Set(sinksOf.get(c.stream) ?? []) };
    if (c.hop.startsWith('sink:')) w.sinks.add(c.hop.slice(5));
    windows.set(key, w);
  }
  const rows: QualityRow[] = [];
  for (const w of windows.values()) {
    const received = byHop.get(at(w.stream, w.windowStart, RECEIVED_HOP))?.records ?? 0;
    for (const sink of w.sinks) {
      const hop = sinkHop(sink);
      const counted = byHop.get(at(w.stream, w.windowStart, hop));
      const delivered = counted?.records ?? 0;
      const histogram = histograms.get(at(w.stream, w.windowStart, hop)) ?? new Map<number, number>();
      const lost = Math.max(0, received - delivered);
      const lastReceived = byHop.get(at(w.stream, w.windowStart, RECEIVED_HOP))?.updatedMs ?? 0;
      const judged = now >= Math.max(w.windowStart + WINDOW_MS, lastReceived) + graceMs;
      rows.push({
        stream: w.stream,
        windowStart: w.windowStart,
        sink,
        received,
        delivered,
        duplicated: counted?.duplicates ?? 0,
        lost,
        extra: Math.max(0, delivered - received),
        p50Ms: quantile(histogram, 0.5),
        p99Ms: quantile(histogram, 0.99),
        state: !judged ? 'open' : lost > 0 ? 'lost' : 'ok',
      });
    }
  }
  return rows.sort((a, b) => a.stream.localeCompare(b.stream) || a.windowStart - b.windowStart || a.sink.localeCompare(b.sink));
}
