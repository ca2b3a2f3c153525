import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActorContext, DeadRecord, StageOutput } from '../../../src/actors/io.js';
import type { KindDefinition } from '../../../src/actors/kind.js';
import { SharedResources } from '../../../src/core/shared-resources.js';
import { CheckpointStore } from '../../../src/runtime/checkpoint.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import type { Topology } from '../../../src/topology/model.js';
import { quietLog } from '../../runtime/harness.js';

/** A context for calling a kind outside a runtime. */
export function stageContext(consumers: readonly string[] = ['next'], replica = 0): ActorContext {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-stage-'));
  const context = {
    id: 'stage',
    replica,
    replicas: 1,
    log: quietLog,
    baseDir: dir,
    stateDir: dir,
    checkpoint: new CheckpointStore(dir).for('stage'),
    signal: new AbortController().signal,
    transport: { type: 'embedded' as const, dir: join(dir, 'log') },
    consumers,
    shared: new SharedResources().acquire,
  };
  return context;
}

/** What one `process` call gave, streamed pieces flattened. */
export interface StageResult {
  pieces: StageOutput[];
  records: LogRecord[];
  partitions: LogRecord[][] | undefined;
  dead: DeadRecord[];
  status: Record<string, unknown> | undefined;
}

/** Creates the kind with `config` (through its schema, defaults applied) and runs one batch through it. */
export async function runStage(
  kind: KindDefinition,
  config: object,
  records: LogRecord[],
  ctx = stageContext(),
): Promise<StageResult> {
  if (kind.role !== 'stage') throw new Error(`${kind.name} is not a stage`);
  const io = await kind.create(kind.config.parse(config), ctx);
  const out = io.process(makeBatch(records, Ack.none(), 'test'));
  const pieces: StageOutput[] = [];
  if (typeof out === 'object' && Symbol.asyncIterator in out) {
    for await (const piece of out) pieces.push(piece);
  } else {
    pieces.push(await out);
  }
  const result: StageResult = {
    pieces,
    records: [],
    partitions: undefined,
    dead: [],
    status: io.status?.(),
  };
  for (const piece of pieces) {
    result.dead.push(...(piece.dead ?? []));
    if ('records' in piece) result.records.push(...piece.records);
    else result.partitions = piece.partitions;
  }
  return result;
}

/** A record as the hdfs source emits it: one file's compressed bytes with the contract headers. */
export function fileRecord(bytes: Uint8Array, path = '/logs/app.log.gz'): LogRecord {
  return {
    value: bytes,
    key: `hdfs:${path}`,
    ts: 0,
    headers: { file: `hdfs:${path}`, source: 'hdfs', path, size: String(bytes.length), mtime: '0' },
  };
}

/** A text chunk as transcode emits it. */
export function chunkRecord(text: string, firstLine = 1, chunk = 0): LogRecord {
  return {
    value: text,
    key: 'f',
    ts: 0,
    headers: { file: 'f', chunk: String(chunk), firstLine: String(firstLine) },
  };
}

/** Sets the config of nodes of a code-built topology, parsed by each kind's schema. */
export function configure(t: Topology, configs: Record<string, object>): Topology {
  for (const node of t.nodes) {
    const config = configs[node.id];
    if (config !== undefined)
      node.config = node.kind.config.parse(config) as Record<string, unknown>;
  }
  return t;
}

/** Concatenates record values that are byte chunks. */
export function joinBytes(records: readonly LogRecord[]): Buffer {
  return Buffer.concat(records.map((r) => r.value as Uint8Array));
}
