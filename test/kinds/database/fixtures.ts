import { join } from 'node:path';
import { z } from 'zod';
import { EndOfInput } from '../../../src/core/errors.js';
import { SharedResources } from '../../../src/core/shared-resources.js';
import type { ActorContext } from '../../../src/actors/io.js';
import { defineSink, defineSource, type KindDefinition } from '../../../src/actors/kind.js';
import { databaseKind } from '../../../src/kinds/database/sink.js';
import { FileCheckpoint } from '../../../src/runtime/checkpoint.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { quietLog } from '../../runtime/harness.js';

const apps = ['shop', 'news', 'game'] as const;
const days = ['2026-11-19', '2026-11-20', '2026-11-21'] as const;
const events = ['process_start', 'page_view', 'ad_show', 'ad_show', 'ad_show', 'ad_click', 'purchase', 'error', 'page_view'] as const;

/** Deterministic pseudo-random numbers (mulberry32), so the data is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], r: () => number): T {
  return items[Math.floor(r() * items.length)] as T;
}

/**
 * `count` parsed records shaped as the `parse` stage emits them (value `{ ts, day, app, event,
 * user, fields }`, headers `file` and `line`), spread over apps, days, events and users; every
 * tenth has no user.
 */
export function parsedRecords(count: number, file = 'hdfs:/logs/app.log.gz', seed = 7): LogRecord[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const day = pick(days, r);
    const ts = `${day}T${String(Math.floor(r() * 24)).padStart(2, '0')}:15:02.${String(i % 1000).padStart(3, '0')}Z`;
    const user = i % 10 === 9 ? null : `u${Math.floor(r() * 40)}`;
    const value = { ts, day, app: pick(apps, r), event: pick(events, r), user, fields: { ad: `a${i % 17}`, slot: 'top' } };
    return { value, key: file, ts: Date.parse(ts), headers: { file, line: String(i + 1) } };
  });
}

/** A source emitting `records` in batches of `batchSize`, resuming after its last commit. */
export function recordSource(records: readonly LogRecord[], batchSize: number, delayMs = 0): KindDefinition {
  return defineSource({
    name: 'records',
    description: 'test source of fixed records',
    config: z.strictObject({}),
    create(_config, ctx) {
      const saved = ctx.checkpoint.get();
      let next = typeof saved === 'number' ? saved : 0;
      return {
        async connect() {},
        async read() {
          if (next >= records.length) throw new EndOfInput();
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          const batch = records.slice(next, next + batchSize);
          next += batch.length;
          return { records: batch, position: next, label: `records@${next}` };
        },
        commit(position) {
          ctx.checkpoint.set(position as number);
        },
        async close() {},
      };
    },
  });
}

/**
 * The real `database` sink, except that the writes listed in `crashAfter` (counted across
 * replicas and restarts) throw after their commit, as a process dying before its ack would.
 */
export function crashingDatabaseSink(crashAfter: ReadonlySet<number>): KindDefinition {
  let writes = 0;
  return defineSink({
    name: 'database',
    description: 'database sink that crashes after committing',
    config: databaseKind.config,
    async create(config, ctx) {
      const io = await databaseKind.create(config, ctx);
      return {
        connect: () => io.connect(),
        close: () => io.close(),
        async write(batch) {
          const call = writes++;
          const result = await io.write(batch);
          if (crashAfter.has(call)) throw new Error(`planned crash after committed write ${call}`);
          return result;
        },
      };
    },
  });
}

/** A minimal actor context for driving a kind directly, outside a runtime. */
export function directContext(baseDir: string): ActorContext {
  return {
    id: 'db',
    replica: 0,
    replicas: 1,
    log: quietLog,
    baseDir,
    stateDir: baseDir,
    checkpoint: new FileCheckpoint(join(baseDir, 'checkpoint.json'), 1000),
    signal: new AbortController().signal,
    transport: { type: 'embedded', dir: join(baseDir, 'log') },
    consumers: [],
    shared: new SharedResources().acquire,
  };
}
