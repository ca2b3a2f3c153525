import type { LogProducer, OutgoingMessage } from '../../transport/message-log.js';

/** How the pool batches and shares its producers. */
export interface PoolOptions {
  /** How long a producer keeps serving one stream queue before it moves on to the next. */
  sliceMs: number;
  /** Producers that may serve one stream queue at the same time. */
  maxProducersPerQueue: number;
  /** Bounds of one produce request. */
  maxRecords: number;
  maxBytes: number;
  /** How long a request waits to fill up when its queue holds less than the bounds. */
  lingerMs: number;
}

/** Records of one stream bound for one topic, as given to {@link ProducerPool.write}. */
export interface StreamPart {
  stream: string;
  topic: string;
  messages: OutgoingMessage[];
}

/** One write: settles when all of its messages are acknowledged, or the first send fails. */
class Request {
  failed = false;
  constructor(
    private remaining: number,
    private readonly pending: Set<Request>,
    private readonly resolve: () => void,
    private readonly reject: (e: unknown) => void,
  ) {
    pending.add(this);
  }

  acked(): void {
    if (--this.remaining > 0 || this.failed) return;
    this.pending.delete(this);
    this.resolve();
  }

  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.pending.delete(this);
    this.reject(error);
  }
}

interface Item {
  message: OutgoingMessage;
  bytes: number;
  request: Request;
  at: number;
}

class StreamQueue {
  private items: Item[] = [];
  private head = 0;
  bytes = 0;
  /** Producers serving this queue right now. */
  bound = 0;
  filled: (() => void) | undefined;

  constructor(readonly topic: string) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get oldest(): number | undefined {
    return this.items[this.head]?.at;
  }

  push(item: Item): void {
    this.items.push(item);
    this.bytes += item.bytes;
  }

  /** Up to `maxRecords`/`maxBytes` items (at least one), skipping those of failed writes. */
  take(maxRecords: number, maxBytes: number): Item[] {
    const out: Item[] = [];
    let bytes = 0;
    while (this.head < this.items.length && out.length < maxRecords) {
      const item = this.items[this.head] as Item;
      if (out.length > 0 && bytes + item.bytes > maxBytes) break;
      this.head += 1;
      this.bytes -= item.bytes;
      if (item.request.failed) continue;
      out.push(item);
      bytes += item.bytes;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

/**
 * N producers shared by one request queue per stream. A producer binds to a queue for a time
 * slice, sends from it (one request in flight per producer), then moves on round-robin to the
 * next queue with work and fewer than `maxProducersPerQueue` producers: a surge on one stream
 * takes at most that many producers, and every other stream is served within about one slice.
 * With `maxProducersPerQueue: 1` a stream's records are sent in order.
 *
 * The first failed send fails the pool: its write and every pending one reject with the error,
 * and the owner builds a new pool (after reconnecting).
 *
 * @example
 * const pool = new ProducerPool([p1, p2], { sliceMs: 50, maxProducersPerQueue: 1, maxRecords: 10_000, maxBytes: 1 << 20, lingerMs: 0 });
 * pool.start();
 * await pool.write([{ stream: 'web-1', topic: 'logs', messages }]); // every message acked
 */
export class ProducerPool {
  private readonly queues = new Map<string, StreamQueue>();
  private readonly order: StreamQueue[] = [];
  private cursor = 0;
  private idle: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  private running = false;
  private failure: unknown;
  private readonly pending = new Set<Request>();

  constructor(
    private readonly producers: readonly LogProducer[],
    private readonly options: PoolOptions,
  ) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Messages waiting per stream, for status views. */
  depths(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [stream, q] of this.queues) out[stream] = q.length;
    return out;
  }

  /** The longest-running retry among the producers, if any is retrying a send. */
  retrying(): { since: number; reason: string } | undefined {
    let oldest: { since: number; reason: string } | undefined;
    for (const p of this.producers) {
      const r = p.retrying?.();
      if (r !== undefined && (oldest === undefined || r.since < oldest.since)) oldest = r;
    }
    return oldest;
  }

  start(): void {
    this.running = true;
    this.workers = this.producers.map((p) => this.work(p));
  }

  /** Queues the parts; resolves when every message is acknowledged. */
  write(parts: readonly StreamPart[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const total = parts.reduce((n, p) => n + p.messages.length, 0);
    if (total === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const request = new Request(total, this.pending, resolve, reject);
      const at = performance.now();
      for (const part of parts) {
        const queue = this.queue(part.stream, part.topic);
        for (const message of part.messages) {
          queue.push({ message, bytes: message.value.length + (message.key?.length ?? 0), request, at });
        }
        if (queue.length >= this.options.maxRecords || queue.bytes >= this.options.maxBytes) queue.filled?.();
      }
      this.wakeAll();
    });
  }

  /** Stops the workers after their current request. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeAll();
    await Promise.all(this.workers);
  }

  private queue(stream: string, topic: string): StreamQueue {
    const key = `${stream}\u0000${topic}`;
    let q = this.queues.get(key);
    if (q === undefined) {
      q = new StreamQueue(topic);
      this.queues.set(key, q);
      this.order.push(q);
    }
    return q;
  }

  /** The next queue after the last one picked that has work and a free producer slot. */
  private pick(): StreamQueue | undefined {
    const n = this.order.length;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const q = this.order[index] as StreamQueue;
      if (q.length > 0 && q.bound < this.options.maxProducersPerQueue) {
        this.cursor = (index + 1) % n;
        return q;
      }
    }
    return undefined;
  }

  private async work(producer: LogProducer): Promise<void> {
    while (this.running && this.failure === undefined) {
      const q = this.pick();
      if (q === undefined) {
        await new Promise<void>((resolve) => this.idle.push(resolve));
        continue;
      }
      q.bound += 1;
      const sliceEnd = performance.now() + this.options.sliceMs;
      try {
        do {
          await this.linger(q);
          const chunk = q.take(this.options.maxRecords, this.options.maxBytes);
          if (chunk.length === 0) break;
          try {
            await producer.send(q.topic, chunk.map((i) => i.message));
          } catch (error) {
            this.fail(error);
            return;
          }
          for (const item of chunk) item.request.acked();
        } while (this.running && q.length > 0 && performance.now() < sliceEnd);
      } finally {
        q.bound -= 1;
        this.wakeAll();
      }
    }
  }

  /** Waits until `q` holds a full request or its oldest message has waited `lingerMs`. */
  private async linger(q: StreamQueue): Promise<void> {
    const oldest = q.oldest;
    if (this.options.lingerMs <= 0 || oldest === undefined) return;
    if (q.length >= this.options.maxRecords || q.bytes >= this.options.maxBytes) return;
    const wait = oldest + this.options.lingerMs - performance.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        q.filled = undefined;
        resolve();
      }
      q.filled = done;
    });
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const r of [...this.pending]) r.fail(this.failure);
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of this.idle.splice(0)) wake();
  }
}
