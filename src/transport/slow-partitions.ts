import { PartitionRotation } from './partition-rotation.js';

/** When a partition counts as slow or failing, and how it is probed. */
export interface SlowPartitionSettings {
  /** Slow when its produce latency is above this many times the median of the topic's other partitions... */
  latencyRatio: number;
  /** ...and above this many milliseconds. */
  minLatencyMs: number;
  /** Failing when this many of its produce requests failed (timed out, refused) within `errorWindowMs`. */
  maxErrors: number;
  errorWindowMs: number;
  /** How often a partition out of the rotation is probed (a request to its leader that carries no records), to see whether it recovered. */
  probeIntervalMs: number;
  /** Records with a key whose partition is out of the rotation go to one in it (false: they keep their partition). */
  keyedFollowRotation: boolean;
}

/** How a producer places records: asked per send, told how each produce request went. */
export interface PartitionPlacement {
  /** The partition for the records without a key of one send, among `candidates` (the topic's partitions with a leader). */
  unkeyed(topic: string, candidates: readonly number[], counter: number): number;
  /** Where records with a key go instead of their own partition (index: murmur2 partition), or undefined to keep them there. */
  keyedTargets(topic: string, partitions: number): Int32Array | undefined;
  /** One produce request (or probe) to a partition's leader answered (ok) or failed after `latencyMs`. */
  observe(topic: string, partitions: readonly number[], latencyMs: number, ok: boolean): void;
  /** The partitions of `topic` out of the rotation whose probe is due now (each is then not due again for an interval). */
  dueProbes(topic: string): number[];
}

export const SLOW = 'slow';
export const FAILING = 'failing';

/** Weight of the newest latency sample in a partition's moving average. */
const ALPHA = 0.3;
/** Answers a partition needs before its latency is judged: the first request to a broker also pays for the connection. */
const MIN_SAMPLES = 3;

interface PartitionStats {
  latencyMs: number | undefined;
  samples: number;
  errors: number[];
  lastProbe: number;
}

/**
 * Tracks per-partition produce latency (a moving average) and errors, and takes a partition out of
 * the {@link PartitionRotation} (reason `slow` or `failing`) when it runs slow relative to the
 * topic's other partitions or keeps failing. A partition out of the rotation is probed every
 * `probeIntervalMs` by the producer (a request to its leader beside the sends, never holding one
 * back); an answer within the threshold puts it back, and a slow send after that takes it out again.
 *
 * @example
 * const slow = new SlowPartitions(settings, new PartitionRotation(0.5));
 * const p = slow.unkeyed('logs', [0, 1, 2], counter);
 * slow.observe('logs', [p], 12, true);
 * for (const q of slow.dueProbes('logs')) probe(q); // observe()s its answer
 */
export class SlowPartitions implements PartitionPlacement {
  private readonly stats = new Map<string, Map<number, PartitionStats>>();
  /** Each topic's partition ids, as last seen by the producer. */
  private readonly partitions = new Map<string, number[]>();

  constructor(
    private readonly settings: SlowPartitionSettings,
    readonly rotation: PartitionRotation,
    private readonly now: () => number = Date.now,
  ) {}

  unkeyed(topic: string, candidates: readonly number[], counter: number): number {
    this.partitions.set(topic, [...candidates]);
    const available = this.rotation.available(topic, candidates);
    return available[counter % available.length]!;
  }

  dueProbes(topic: string): number[] {
    const now = this.now();
    const due: number[] = [];
    for (const p of this.rotation.excluded(topic, this.partitions.get(topic) ?? []).keys()) {
      const s = this.stat(topic, p, now);
      if (!this.ours(topic, p) || now - s.lastProbe < this.settings.probeIntervalMs) continue;
      s.lastProbe = now;
      due.push(p);
    }
    return due;
  }

  keyedTargets(topic: string, partitions: number): Int32Array | undefined {
    if (!this.settings.keyedFollowRotation) return undefined;
    const all = Array.from({ length: partitions }, (_, p) => p);
    const out = this.rotation.excluded(topic, all);
    if (out.size === 0) return undefined;
    const available = all.filter((p) => !out.has(p));
    return Int32Array.from(all, (p) => (out.has(p) ? available[p % available.length]! : p));
  }

  observe(topic: string, partitions: readonly number[], latencyMs: number, ok: boolean): void {
    const now = this.now();
    for (const p of partitions) {
      const s = this.stat(topic, p);
      s.latencyMs = s.latencyMs === undefined ? latencyMs : s.latencyMs + ALPHA * (latencyMs - s.latencyMs);
      s.samples += 1;
      s.errors = s.errors.filter((t) => now - t < this.settings.errorWindowMs);
      if (!ok) s.errors.push(now);
    }
    for (const p of partitions) this.judge(topic, p, latencyMs, ok, now);
  }

  /** Latency threshold, average latency and recent errors of each partition that has been sampled. */
  view(): Record<string, Record<number, { latencyMs: number | null; errors: number; thresholdMs: number | null }>> {
    const out: Record<string, Record<number, { latencyMs: number | null; errors: number; thresholdMs: number | null }>> = {};
    for (const [topic, byPartition] of this.stats) {
      const t: Record<number, { latencyMs: number | null; errors: number; thresholdMs: number | null }> = (out[topic] = {});
      for (const [p, s] of byPartition) {
        const threshold = this.threshold(topic, p);
        t[p] = { latencyMs: s.latencyMs === undefined ? null : Math.round(s.latencyMs), errors: s.errors.length, thresholdMs: threshold === undefined ? null : Math.round(threshold) };
      }
    }
    return out;
  }

  partitionsOf(topic: string): readonly number[] | undefined {
    return this.partitions.get(topic);
  }

  private judge(topic: string, p: number, latencyMs: number, ok: boolean, now: number): void {
    const s = this.stat(topic, p);
    const threshold = this.threshold(topic, p);
    if (this.ours(topic, p)) {
      // Back in on one healthy answer (a probe, or a send while the cap kept it in or a key sent it there).
      if (ok && (threshold === undefined || latencyMs <= threshold)) {
        s.latencyMs = latencyMs;
        s.errors = [];
        this.rotation.include(SLOW, topic, [p]);
        this.rotation.include(FAILING, topic, [p]);
      }
      return;
    }
    const reason = s.errors.length >= this.settings.maxErrors ? FAILING : threshold !== undefined && s.samples >= MIN_SAMPLES && s.latencyMs! > threshold ? SLOW : undefined;
    if (reason === undefined) return;
    this.rotation.exclude(reason, topic, [p], now);
    s.lastProbe = now;
  }

  /**
   * `latencyRatio` times the median average latency of the topic's other sampled partitions that
   * are not slow or failing themselves, and at least `minLatencyMs`; undefined without such others.
   */
  private threshold(topic: string, p: number): number | undefined {
    const others: number[] = [];
    for (const [q, s] of this.stats.get(topic) ?? []) {
      if (q !== p && s.latencyMs !== undefined && !this.ours(topic, q)) others.push(s.latencyMs);
    }
    if (others.length === 0) return undefined;
    others.sort((a, b) => a - b);
    const mid = others.length >> 1;
    const median = others.length % 2 === 1 ? others[mid]! : (others[mid - 1]! + others[mid]!) / 2;
    return Math.max(this.settings.minLatencyMs, this.settings.latencyRatio * median);
  }

  private ours(topic: string, p: number): boolean {
    return this.rotation.asked(SLOW, topic, p) || this.rotation.asked(FAILING, topic, p);
  }

  private stat(topic: string, p: number, now = this.now()): PartitionStats {
    let byPartition = this.stats.get(topic);
    if (byPartition === undefined) this.stats.set(topic, (byPartition = new Map()));
    let s = byPartition.get(p);
    if (s === undefined) byPartition.set(p, (s = { latencyMs: undefined, samples: 0, errors: [], lastProbe: now }));
    return s;
  }
}
