import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { Json } from '../streams/record.js';
import type { PartitionExclusions } from '../transport/message-log.js';
import type { BlacklistSnapshot, BlacklistStore } from './store.js';
import type { KafkaLagReader } from './reader.js';
import { laggingPartitions, type LagRule } from './rule.js';

const NONE: ReadonlySet<number> = new Set();

/** Who computes the blacklist on an interval: the elected writer of its store. */
export interface LagBlacklistParts {
  store: BlacklistStore;
  reader: Pick<KafkaLagReader, 'read' | 'close'>;
  rule: LagRule & { intervalMs: number };
  log: Logger;
}

/**
 * The lag blacklist: the partitions per topic that unkeyed records avoid because their
 * downstream consumers lag far behind (see {@link laggingPartitions}). Every `intervalMs` the
 * store's writer reads lag from the cluster, applies the rule and publishes the result; every
 * instance applies what is published and emits `change` per topic whose exclusions changed.
 * When lag cannot be read, the last blacklist stays and `status()` says why.
 */
export class LagBlacklist extends EventEmitter<{ change: [topic: string, excluded: ReadonlySet<number>] }> implements PartitionExclusions {
  private readonly current = new Map<string, ReadonlySet<number>>();
  private readonly id = `${hostname()}:${process.pid}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private applied: BlacklistSnapshot | undefined;
  private failure: string | undefined;

  constructor(private readonly parts: LagBlacklistParts) {
    super();
    parts.store.onSnapshot((snapshot) => this.apply(snapshot));
  }

  /** Computes now (when this instance writes) and then every intervalMs. */
  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.tick(), this.parts.rule.intervalMs);
    return this.tick();
  }

  excluded(topic: string): ReadonlySet<number> {
    return this.current.get(topic) ?? NONE;
  }

  /** One computation (when this instance is the writer); concurrent calls share it. */
  tick(): Promise<void> {
    this.running ??= this.compute().finally(() => (this.running = undefined));
    return this.running;
  }

  status(): { [key: string]: Json } {
    const topics: { [topic: string]: Json } = {};
    for (const [topic, partitions] of this.current) topics[topic] = [...partitions];
    return {
      ...this.parts.store.describe(),
      excluded: topics,
      computedAt: this.applied?.at ?? null,
      computedBy: this.applied?.writer ?? null,
      ...(this.failure === undefined ? {} : { error: this.failure }),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.parts.store.close();
    await this.parts.reader.close();
  }

  private async compute(): Promise<void> {
    if (!this.parts.store.writing()) return;
    try {
      const topics: Record<string, number[]> = {};
      for (const [topic, lags] of await this.parts.reader.read()) {
        const out = laggingPartitions(lags, this.parts.rule);
        if (out.length > 0) topics[topic] = out;
      }
      await this.parts.store.publish({ at: new Date().toISOString(), writer: this.id, topics });
      if (this.failure !== undefined) this.parts.log.info('lag blacklist: computing again');
      this.failure = undefined;
    } catch (error) {
      const why = `reading consumer lag failed: ${errorMessage(error)}; the last blacklist is kept`;
      if (why !== this.failure) this.parts.log.warn(`lag blacklist: ${why}`);
      this.failure = why;
    }
  }

  private apply(snapshot: BlacklistSnapshot): void {
    this.applied = snapshot;
    const topics = new Set([...this.current.keys(), ...Object.keys(snapshot.topics)]);
    for (const topic of topics) {
      const next = new Set(snapshot.topics[topic] ?? []);
      const before = this.current.get(topic) ?? NONE;
      if (next.size === before.size && [...next].every((p) => before.has(p))) continue;
      if (next.size === 0) this.current.delete(topic);
      else this.current.set(topic, next);
      this.parts.log.info({ topic, excluded: [...next] }, 'lag blacklist: partitions out of rotation changed');
      this.emit('change', topic, next);
    }
  }
}
