import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { KindDefinition, Role } from '../../../src/actors/kind.js';
import { SharedResources } from '../../../src/core/shared-resources.js';
import { generatorKind } from '../../../src/kinds/generator.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { Logger } from 'pino';
import type { Topology } from '../../../src/topology/model.js';
import type { TransportConfig } from '../../../src/transport/schema.js';
import { ensureKafka } from '../../infra/kafka/broker.js';
import { quietLog, topology } from '../../runtime/harness.js';

export function kafkaTransport(brokers: string[]): TransportConfig {
  return { type: 'kafka', brokers, clientId: 'millrace-test', connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
}

/** An embedded transport in a fresh directory, shared by every runtime given the same object. */
export function embeddedTransport(): TransportConfig {
  return { type: 'embedded', dir: mkdtempSync(join(tmpdir(), 'millrace-embedded-')) };
}

export interface NodePlan {
  id: string;
  role: Role;
  kind: KindDefinition;
  config?: Record<string, unknown>;
  inputs?: string[];
  replicas?: number;
  maxRecords?: number;
}

/** A runnable topology of real kinds with parsed configs on `transport`. */
export function build(transport: TransportConfig, plans: NodePlan[]): Topology {
  const t = topology(plans.map((p) => ({ id: p.id, role: p.role, kind: p.kind, inputs: p.inputs, replicas: p.replicas, maxRecords: p.maxRecords ?? 20_000 })));
  for (const [i, p] of plans.entries()) {
    const node = t.nodes[i];
    if (node !== undefined) node.config = p.kind.config.parse(p.config ?? {}) as Record<string, unknown>;
  }
  return { ...t, transport };
}

/** Sequence numbers of generator values (`seq=N ...`). */
export function seqs(values: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const v of values) {
    const m = /^seq=(\d+)/.exec(v);
    if (m !== null) out.add(Number(m[1]));
  }
  return out;
}

/** One registry for the runtimes of a test file: producer and consumer topologies share the embedded log, as in one process they must. */
export const shared = new SharedResources();

export async function start(t: Topology, log: Logger = quietLog): Promise<Runtime> {
  const runtime = new Runtime(t, { log, drainTimeoutMs: 10_000, shared });
  await runtime.start();
  return runtime;
}

/** Every number in [0, n) that `got` lacks (empty when none is lost). */
export function missing(got: ReadonlySet<number>, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!got.has(i)) out.push(i);
  return out;
}

/** A transport for a test suite and how to release it. */
export interface TransportEnv {
  transport: TransportConfig;
  stop(): Promise<void>;
}

/** The two transports the kafka kinds run on: a real broker (cluster "a") and the embedded log. */
export const transports: { name: string; setup(): Promise<TransportEnv> }[] = [
  {
    name: 'kafka (real broker)',
    async setup() {
      const kafka = await ensureKafka('a', 19092);
      return { transport: kafkaTransport(kafka.brokers), stop: kafka.stop };
    },
  },
  { name: 'embedded log', setup: async () => ({ transport: embeddedTransport(), stop: async () => undefined }) },
];

/**
 * The transport of one `describe.each(transports)` suite: set up before its tests, stopped after
 * them. Read `transport` inside a test (it does not exist before `beforeAll` ran).
 */
export function useTransport(setup: () => Promise<TransportEnv>): { readonly transport: TransportConfig } {
  let env: TransportEnv | undefined;
  beforeAll(async () => {
    env = await setup();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  }, 120_000);
  return {
    get transport(): TransportConfig {
      if (env === undefined) throw new Error('the transport is set up in beforeAll: read it inside a test');
      return env.transport;
    },
  };
}

/** Writes `count` generator records (`seq=N`, 100 bytes) to `topic` through the kafka sink; resolves when all are acknowledged. */
export async function produce(transport: TransportConfig, topic: string, count: number): Promise<void> {
  const runtime = await start(
    build(transport, [
      { id: 'gen', role: 'source', kind: generatorKind, config: { count, batchSize: 1000, payloadBytes: 100, keys: 16 } },
      { id: 'out', role: 'sink', kind: kafkaSinkKind, config: { topic }, inputs: ['gen'] },
    ]),
  );
  const result = await runtime.finished;
  if (!result.ok) throw new Error(`producing to ${topic} failed: ${String(result.error)}`);
}
