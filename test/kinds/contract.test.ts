// The kind contract (src/actors/io.ts, docs/decisions/runtime-core.md), checked for every
// registered kind with its own `example` settings against the embedded defaults. Which rules
// apply to which kind is the table in ./contract/table.ts: a new kind fails here until it has a row.
// That each example validates against its schema is test/authoring/reference.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import type { SinkIO, SourceIO, SourceRead, StageIO, StageOutput } from '../../src/actors/io.js';
import {
  defineSource,
  type KindDefinition,
  type RegisteredKind,
  type SourceKind,
} from '../../src/actors/kind.js';
import { lifecycleState, type LifecycleSnapshot } from '../../src/actors/lifecycle.js';
import { EndOfInput } from '../../src/core/errors.js';
import { blackholeKind } from '../../src/kinds/blackhole.js';
import { generatorKind } from '../../src/kinds/generator.js';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { kinds } from '../../src/kinds/registry.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { Ack } from '../../src/streams/ack.js';
import { makeBatch } from '../../src/streams/batch.js';
import { payloadText, type LogRecord } from '../../src/streams/record.js';
import { kindExample } from '../../src/topology/kind-example.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { takesInputs } from '../../src/topology/schema.js';
import { transportSchema } from '../../src/transport/schema.js';
import { actorContext } from '../kit/actor-context.js';
import { collectSink } from '../kit/collect-sink.js';
import { eventually } from '../kit/eventually.js';
import { quietLog, topology } from '../runtime/harness.js';
import { closedPort } from './hdfs/helpers.js';
import { applies, contracts, type KindContract } from './contract/table.js';

const nameOf = (kind: KindDefinition): string => `${kind.role} ${kind.name}`;
const registered = kinds.map((kind) => [nameOf(kind), kind] as const);
const sources = registered.filter(([, kind]) => kind.role === 'source');

function contractOf(kind: KindDefinition): KindContract {
  const row = contracts[nameOf(kind)];
  if (row === undefined)
    throw new Error(`${nameOf(kind)} has no row in test/kinds/contract/table.ts`);
  return row;
}

/** What the kind's own schema makes of its example. */
const exampleConfig = (kind: RegisteredKind, over: Record<string, unknown> = {}): never =>
  kind.config.parse({ ...kind.example, ...over }) as never;

/** A record's identity across reads: its file and value. */
const identity = (r: LogRecord): string => `${r.headers?.file ?? ''}|${payloadText(r.value)}`;

/** Stdout while `work` runs, kept from the test output. */
async function capturingStdout<T>(work: () => Promise<T>): Promise<{ result: T; printed: string }> {
  let printed = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    return { result: await work(), printed };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('the kind contract table', () => {
  it('has a row for every registered kind and none for a kind that is not registered', () => {
    expect(Object.keys(contracts).sort()).toEqual(registered.map(([name]) => name).sort());
  });

  it.each(registered)(
    'places %s under every rule: source-only rules apply to sources alone',
    (_name, kind) => {
      const row = contractOf(kind);
      const sourceRules = [row.endOfInput, row.commitsAcked];
      if (kind.role === 'source') {
        expect(row.yields).toBeGreaterThan(0);
        expect(applies(row.commitsAcked), 'every source commits only acked positions').toBe(true);
      } else {
        expect(sourceRules.map((rule) => applies(rule))).toEqual([false, false]);
        expect(row.input?.().length).toBeGreaterThan(0);
      }
    },
  );
});

describe.each(registered)('%s with its example', (_name, kind) => {
  const row = contractOf(kind);

  it('goes through connect, read/process/write and close, and a second close is harmless', async () => {
    const ctx = actorContext({ id: kind.name, consumers: ['a', 'b'] });
    const over = (await row.prepare?.(ctx)) ?? {};
    if (kind.role === 'source') {
      const io = kind.create(exampleConfig(kind, over), ctx);
      await io.connect();
      const read: LogRecord[] = [];
      while (read.length < (row.yields ?? 0)) {
        const batch = await io.read();
        read.push(...batch.records);
        // As the runtime would once the batch is acked: some sources end only when all is done.
        await io.commit(batch.position);
      }
      expect(read).toHaveLength(row.yields ?? 0);
      if (applies(row.endOfInput)) {
        await expect(io.read()).rejects.toBeInstanceOf(EndOfInput);
        await expect(io.read(), 'an ended source stays ended').rejects.toBeInstanceOf(EndOfInput);
      }
      await io.close();
      await io.close();
    } else if (kind.role === 'stage') {
      const io: StageIO = await kind.create(exampleConfig(kind, over), ctx);
      await io.connect?.();
      const out = io.process(makeBatch(row.input?.() ?? [], Ack.none(), 'contract'));
      const pieces: StageOutput[] = [];
      if (Symbol.asyncIterator in out) for await (const piece of out) pieces.push(piece);
      else pieces.push(await out);
      const passed = pieces.flatMap((p) => ('records' in p ? p.records : p.partitions.flat()));
      expect(pieces.flatMap((p) => p.dead ?? [])).toEqual([]);
      expect(passed.length).toBeGreaterThan(0);
      await io.close?.();
      await io.close?.();
    } else {
      const io: SinkIO = await kind.create(exampleConfig(kind, over), ctx);
      await io.connect();
      const input = row.input?.() ?? [];
      const { result, printed } = await capturingStdout(() =>
        io.write(makeBatch(input, Ack.none(), 'contract')),
      );
      expect(result?.dead ?? []).toEqual([]);
      if (kind.name === 'stdout') expect(printed.trimEnd().split('\n')).toHaveLength(input.length);
      await io.close();
      await io.close();
    }
  });
});

/** `kind`, with every read it returns recorded in `reads` and every commit shown to `onCommit` first. */
function observed(
  kind: SourceKind,
  reads: SourceRead<unknown>[],
  onCommit: (position: unknown) => void,
): SourceKind {
  return defineSource({
    ...kind,
    create(config, ctx) {
      const io = kind.create(config, ctx);
      return {
        connect: () => io.connect(),
        async read() {
          const read = await io.read();
          reads.push(read);
          return read;
        },
        commit(position) {
          onCommit(position);
          return io.commit(position);
        },
        close: () => io.close(),
      };
    },
  });
}

describe.each(sources)('%s commits', (_name, kind) => {
  const row = contractOf(kind);
  if (kind.role !== 'source') throw new Error('sources only');

  it('only positions whose records, and all before them, reached the sink (in a runtime)', async () => {
    const reads: SourceRead<unknown>[] = [];
    const acked: LogRecord[] = [];
    const commits: string[] = [];
    const early: string[] = [];
    // Checked as each commit arrives, since acks keep coming after it.
    const onCommit = (position: unknown): void => {
      const upTo = reads.findIndex((r) => r.position === position);
      commits.push(reads[upTo]?.label ?? 'a position no read returned');
      const stored = new Set(acked);
      const missing = reads
        .slice(0, upTo + 1)
        .flatMap((r) => r.records.filter((record) => !stored.has(record)));
      if (upTo < 0 || missing.length > 0)
        early.push(`${missing.length} records not acked at the commit of ${commits.at(-1) ?? ''}`);
    };
    const t = topology([
      { id: 'src', role: 'source', kind: observed(kind, reads, onCommit) },
      { id: 'out', role: 'sink', kind: collectSink(acked), inputs: ['src'] },
    ]);
    (t.nodes[0] as Topology['nodes'][number]).config = exampleConfig(kind);
    await row.prepare?.(
      actorContext({
        dir: t.baseDir,
        transport: { type: 'embedded', dir: join(t.dataDir, 'log') },
      }),
    );
    const runtime = new Runtime(t, { log: quietLog });
    await runtime.start();
    if (applies(row.endOfInput)) {
      // EndOfInput ends it: the run finishes without being stopped.
      expect(await runtime.finished).toEqual({ ok: true });
    } else {
      await eventually(() => acked.length >= (row.yields ?? 0), {
        what: `${row.yields ?? 0} records at the sink`,
        timeoutMs: 20_000,
      });
      await runtime.stop();
    }
    expect(acked).toHaveLength(row.yields ?? 0);
    expect(commits.length).toBeGreaterThan(0);
    expect(early).toEqual([]);
  });

  it.runIf(applies(row.commitsAcked))(
    'and resumes after the committed position: acked reads are not read again, the unacked one is',
    async () => {
      const ctx = actorContext({ id: kind.name });
      await row.prepare?.(ctx);
      const first = kind.create(exampleConfig(kind), ctx);
      await first.connect();
      const acked = await first.read();
      const unacked = await first.read();
      await first.commit(acked.position);
      await first.close();

      // A restart: a new instance with the same checkpoint and state directory.
      const second: SourceIO = kind.create(exampleConfig(kind), ctx);
      await second.connect();
      const again: LogRecord[] = [];
      const rest = (row.yields ?? 0) - acked.records.length;
      try {
        while (again.length < rest) again.push(...(await second.read()).records);
      } catch (error) {
        if (!(error instanceof EndOfInput)) throw error;
      }
      await second.close();
      const reread = new Set(again.map(identity));
      expect(
        acked.records.filter((r) => reread.has(identity(r))),
        'acked records read again',
      ).toEqual([]);
      expect(
        unacked.records.filter((r) => !reread.has(identity(r))),
        'unacked records lost',
      ).toEqual([]);
      expect(again).toHaveLength(rest);
    },
  );
});

describe('NotConnected leads to backoff', () => {
  const unreachable = registered.filter(([, kind]) => applies(contractOf(kind).notConnected));

  it.concurrent.each(unreachable)(
    '%s backs off while its dependency is down',
    async (_name, kind) => {
      const rule = contractOf(kind).notConnected;
      if (!applies(rule)) throw new Error('filtered above');
      const down = rule(await closedPort());
      const t =
        kind.role === 'source'
          ? topology([
              { id: 'under-test', role: 'source', kind },
              { id: 'out', role: 'sink', kind: blackholeKind, inputs: ['under-test'] },
            ])
          : topology([
              { id: 'gen', role: 'source', kind: generatorKind },
              { id: 'under-test', role: kind.role, kind, inputs: ['gen'] },
            ]);
      // The other end needs no input and gives none: the rule is about connecting.
      for (const node of t.nodes)
        node.config =
          node.id === 'under-test'
            ? exampleConfig(kind, down.settings)
            : node.kind.config.parse(node.kind === generatorKind ? { count: 0 } : {});
      const states = new Set<string>();
      const inspect = (e: InspectionEvent): void => {
        const snapshot =
          e.type === '@xstate.snapshot'
            ? (e.snapshot as LifecycleSnapshot & { context?: { id?: string } })
            : undefined;
        if (snapshot?.context?.id === 'under-test' && snapshot.value !== undefined)
          states.add(lifecycleState(snapshot));
      };
      const runtime = new Runtime(
        { ...t, ...(down.transport ? { transport: transportSchema.parse(down.transport) } : {}) },
        { log: quietLog, inspect, drainTimeoutMs: 500 },
      );
      await runtime.start();
      try {
        await eventually(() => states.has('backoff') || states.has('failed'), {
          what: `${nameOf(kind)} in backoff`,
          timeoutMs: 25_000,
        });
        expect(
          [...states].filter((s) => s === 'backoff' || s === 'failed'),
          'an unreachable dependency is not a crash',
        ).toEqual(['backoff']);
      } finally {
        // Not runtime.stop(): a graceful stop waits for the sink to drain, which needs the connection.
        await Promise.all([...runtime.nodes.values()].map((n) => n.supervisor.stop()));
      }
    },
  );
});

describe('a topology made of the examples', () => {
  const included = registered.filter(([, kind]) => applies(contractOf(kind).inTopology));
  const idOf = (kind: KindDefinition): string =>
    kinds.filter((k) => k.name === kind.name).length > 1 ? `${kind.name}-${kind.role}` : kind.name;

  it(
    'runs to its end where the kinds need no external service, then a kafka source reads back what the kafka sink wrote',
    { timeout: 60_000 },
    async () => {
      const ctx = actorContext({ id: 'topology' });
      const doc: Record<string, Record<string, unknown>> = { sources: {}, stages: {}, sinks: {} };
      for (const [, kind] of included) {
        const row = contractOf(kind);
        if (!applies(row.inTopology)) continue;
        await row.prepare?.(ctx);
        const section = doc[`${kind.role}s`] as Record<string, unknown>;
        section[idOf(kind)] = {
          ...kindExample(kind),
          ...(takesInputs(kind) ? { inputs: row.inTopology.inputs } : {}),
        };
      }
      const loaded = parseTopology(JSON.stringify(doc), join(ctx.baseDir, 'topology.yaml'));
      if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
      const runtime = new Runtime(loaded.topology, { log: quietLog });
      const { result, printed } = await capturingStdout(async () => {
        await runtime.start();
        return runtime.finished;
      });
      expect(result).toEqual({ ok: true });
      const recordsIn = (id: string): number => runtime.nodes.get(id)?.metrics.recordsIn ?? 0;
      // generator 1000 → enrich → warnings (every tenth) → distribute over six sinks.
      expect(
        ['kafka-sink', 'file-sink', 'link-sink', 'stdout', 'blackhole', 'agent'].map(recordsIn).reduce((a, b) => a + b) -
          (runtime.nodes.get('file-source')?.metrics.recordsOut ?? 0),
      ).toBe(100);
      expect(printed.trimEnd().split('\n')).toHaveLength(recordsIn('stdout'));
      expect(
        readFileSync(join(ctx.baseDir, 'out/events.jsonl'), 'utf8').trimEnd().split('\n'),
      ).toHaveLength(recordsIn('file-sink'));
      expect(recordsIn('database')).toBe(150);

      // The kafka source's example reads the example topic the kafka sink wrote, on the same embedded log.
      const reader = parseTopology(
        JSON.stringify({
          sources: { 'kafka-source': kindExample(kafkaSourceKind) },
          sinks: { out: { kind: 'blackhole', inputs: ['kafka-source'] } },
        }),
        join(ctx.baseDir, 'topology.yaml'),
      );
      if (!reader.ok) throw new Error(reader.errors.map((e) => e.message).join('\n'));
      const second = new Runtime(reader.topology, { log: quietLog });
      await second.start();
      await eventually(
        () => (second.nodes.get('out')?.metrics.recordsIn ?? 0) >= recordsIn('kafka-sink'),
        { what: 'what the kafka sink wrote', timeoutMs: 20_000 },
      );
      await second.stop();
      expect(second.nodes.get('out')?.metrics.recordsIn).toBe(recordsIn('kafka-sink'));
    },
  );
});
