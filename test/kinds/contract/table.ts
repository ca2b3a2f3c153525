import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ActorContext, SinkIO } from '../../../src/actors/io.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { DiskQueue } from '../../../src/link/disk-queue.js';
import { SOURCE_OFFSET_HEADER } from '../../../src/link/offset-translation.js';
import { openMessageLog } from '../../../src/transport/open-message-log.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { binlogExampleTable, EXAMPLE_ROWS } from '../binlog/example-table.js';
import { parsedRecords } from '../database/fixtures.js';
import { exampleFalconAgent, orderChange, points } from '../falcon/fixtures.js';
import { exampleOpenSearch, logEvents } from '../opensearch/fixtures.js';
import { examplePushgateway } from '../pushgateway/fixtures.js';
import { batchOf, registryWith, sendUntilAcked, transportClient } from '../gateway/client.js';
import { chunkRecord, fileRecord } from '../pipeline/helpers.js';
import { resendingClient } from '../socket/resending-client.js';

/** Why a rule does not apply to a kind: said out loud, so a new kind must be placed in the table. */
export interface NotApplicable {
  notApplicable: string;
}

const na = (notApplicable: string): NotApplicable => ({ notApplicable });

export function applies<T>(rule: T | NotApplicable): rule is T {
  return typeof rule !== 'object' || rule === null || !('notApplicable' in rule);
}

/** Settings merged over a kind's example settings. */
export type Settings = Record<string, unknown>;

/** Settings that point a kind at a dependency that is down (a closed 127.0.0.1 port). */
export interface Unreachable {
  /** Replaces the topology's transport (kafka kinds). */
  transport?: Record<string, unknown>;
  /** Merged over the kind's example settings. */
  settings?: Record<string, unknown>;
}

/** How one kind is run against the contract, and which rules apply to it. */
export interface KindContract {
  /**
   * Creates what the example names (modules, input files, topics) below the actor's baseDir. It
   * may return settings merged over the example's, for a service it started on a free port.
   */
  prepare?(ctx: ActorContext): void | Settings | Promise<void | Settings>;
  /** Sources: records the example yields from what `prepare` made. */
  yields?: number;
  /** Stages and sinks: one input batch. */
  input?(): LogRecord[];
  /** `EndOfInput` ends the source once its input is read; or why the kind never ends. */
  endOfInput: true | NotApplicable;
  /** The kind's dependency, down: the replica must go to `backoff`; or why it has none. */
  notConnected: ((port: number) => Unreachable) | NotApplicable;
  /** A source resumes after the committed position only (acked reads are not read again, unacked ones are). */
  commitsAcked: true | NotApplicable;
  /** The actors it reads from in the topology made of examples; or why it is left out. */
  inTopology: { inputs: string[] } | NotApplicable;
}

/** The example modules the map and filter examples name, copied from examples/modules. */
function copyModule(ctx: ActorContext, name: string): void {
  const to = join(ctx.baseDir, 'examples', 'modules', name);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(new URL(`../../../examples/modules/${name}`, import.meta.url), to);
}

function write(ctx: ActorContext, rel: string, content: string | Buffer): void {
  const file = join(ctx.baseDir, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** `n` lines in the millrace log format, numbered from `from`. */
export function logLines(n: number, from = 0): string {
  return Array.from(
    { length: n },
    (_, i) =>
      `2026-11-20T08:15:02.${String((from + i) % 1000).padStart(3, '0')}Z shop ad_show user=u${from + i} ad=a17\n`,
  ).join('');
}

/** Two log files of 600 lines each under logs/ (the file source example reads logs/*.log). */
function logFiles(ctx: ActorContext): void {
  write(ctx, 'logs/a.log', logLines(600));
  write(ctx, 'logs/b.log', logLines(600, 600));
}

/** Three gzipped log files in data/incoming (the hdfs example's local cluster). */
function incomingFiles(ctx: ActorContext): void {
  for (const [i, name] of ['a', 'b', 'c'].entries())
    write(ctx, `data/incoming/${name}.log.gz`, gzipSync(logLines(50, i * 50)));
}

export const TOPIC_RECORDS = 300;

/** Writes TOPIC_RECORDS records (`seq=N`) to the example topic `events` through the kafka sink's own example. */
async function eventsTopic(ctx: ActorContext): Promise<void> {
  const sink = (await kafkaSinkKind.create(
    kafkaSinkKind.config.parse(kafkaSinkKind.example),
    ctx,
  )) as SinkIO;
  await sink.connect();
  const records = Array.from({ length: TOPIC_RECORDS }, (_, i): LogRecord => ({
    value: `seq=${i}`,
    key: `k${i % 7}`,
    ts: 0,
  }));
  for (let i = 0; i < records.length; i += 100)
    await sink.write(makeBatch(records.slice(i, i + 100), Ack.none(), 'contract'));
  await sink.close();
}

const LINK_RECORDS = 2500;

/** Lines the example socket source gets from an application that resends what was not answered. */
const SOCKET_RECORDS = 10;

/** Records a sender already shipped, in the receiver's disk queue (where the link source reads). */
async function linkQueue(ctx: ActorContext): Promise<void> {
  const queue = await DiskQueue.open(join(ctx.baseDir, 'data/link-queue'));
  const value = (i: number): Buffer => Buffer.from(`seq=${i}`);
  await queue.append(Array.from({ length: LINK_RECORDS }, (_, i) => ({ topic: 'events', partition: i % 3, offset: String(i), ts: 0, key: null, value: value(i), headers: [] })));
  await queue.close();
}

/** A mirrored topic in the embedded log: records from source offsets 0, 2, 4, ... (holes, as transaction markers leave), each marked with it. */
async function mirroredTopic(ctx: ActorContext): Promise<void> {
  const producer = openMessageLog(ctx.transport, ctx.log, ctx.shared).producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 10_000 });
  await producer.connect();
  await producer.send('orders', Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`order ${i}`), partition: 0, headers: { [SOURCE_OFFSET_HEADER]: String(2 * i) } })));
  await producer.disconnect();
}

const GATEWAY_RECORDS = 400;

/**
 * The example gateway's registry with stream `contract`, and an application sending
 * GATEWAY_RECORDS records to it in eight concurrent batches, each retried until acked (as an
 * agent does): what a gateway instance answered is not sent again, the rest is.
 */
async function gatewayClients(ctx: ActorContext): Promise<void> {
  const token = 'contract-token-0123456789';
  await registryWith(join(ctx.baseDir, 'data/streams.db'), { contract: token });
  const client = transportClient(7400);
  const per = GATEWAY_RECORDS / 8;
  const sends = Array.from({ length: 8 }, (_, b) =>
    sendUntilAcked(client, batchOf('contract', token, 'contract-agent', b, Array.from({ length: per }, (_, i) => `seq=${b * per + i}`))),
  );
  void Promise.allSettled(sends).then(() => client.close());
}

const generatorRecords = (): LogRecord[] =>
  Array.from({ length: 20 }, (_, i) => ({ value: `seq=${i} xxxx`, key: `k${i % 4}`, ts: 0 }));
const kafkaDown = (port: number): Unreachable => ({
  transport: { type: 'kafka', brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 500 },
});
const noDependency = na('it needs nothing outside the process that could be unreachable');
const notASource = na('not a source');

/**
 * Every registered kind, by `<role> <name>`, with how it meets each rule of the kind contract
 * (src/actors/io.ts, docs/decisions/runtime-core.md). A kind missing here fails the contract test.
 */
export const contracts: Record<string, KindContract> = {
  'source generator': {
    yields: 1000,
    endOfInput: true,
    notConnected: noDependency,
    commitsAcked: true,
    inTopology: { inputs: [] },
  },
  'source file': {
    prepare: logFiles,
    yields: 1200,
    endOfInput: true,
    notConnected: na('local files: a missing or unreadable file is not a lost connection'),
    commitsAcked: true,
    inTopology: { inputs: [] },
  },
  'source kafka': {
    prepare: eventsTopic,
    yields: TOPIC_RECORDS,
    endOfInput: na('a consumer group follows its topics forever'),
    notConnected: kafkaDown,
    commitsAcked: true,
    inTopology: na(
      'it never ends; the contract test runs it after the topology, on the topic the kafka sink wrote',
    ),
  },
  'source gateway': {
    prepare: gatewayClients,
    yields: GATEWAY_RECORDS,
    endOfInput: na('a gateway serves its clients forever'),
    notConnected: na('it listens; absent clients only leave its queues empty'),
    commitsAcked: true,
    inTopology: na('it needs clients to feed it; test/kinds/gateway/*.test.ts run it'),
  },
  'source link': {
    prepare: linkQueue,
    yields: LINK_RECORDS,
    endOfInput: na('a receiver listens for its sender forever'),
    notConnected: na('it listens; an absent sender only leaves its queue idle'),
    commitsAcked: true,
    inTopology: na('it needs a sender to feed it; test/link/link-kill9.test.ts runs the pair'),
  },
  'source socket': {
    prepare: (ctx) => void resendingClient(join(ctx.baseDir, 'agent.sock'), Array.from({ length: SOCKET_RECORDS }, (_, i) => `contract r${i}`)),
    yields: SOCKET_RECORDS,
    endOfInput: na('it listens for applications forever'),
    notConnected: na('it listens on a local path; there is nothing to connect to'),
    commitsAcked: true,
    inTopology: na('it needs an application writing to it; test/kinds/socket and test/kinds/agent/agent-kill9.test.ts run one'),
  },
  'source hdfs': {
    prepare: incomingFiles,
    yields: 3,
    endOfInput: true,
    notConnected: (port) => ({
      settings: {
        clusters: [
          {
            name: 'down',
            backend: { type: 'webhdfs', url: `http://127.0.0.1:${port}`, timeoutMs: 1000 },
          },
        ],
      },
    }),
    commitsAcked: true,
    inTopology: { inputs: [] },
  },
  'source binlog': {
    prepare: binlogExampleTable,
    yields: EXAMPLE_ROWS,
    endOfInput: na('it follows the binlog forever'),
    notConnected: (port) => ({ settings: { url: `mysql://millrace:millrace@127.0.0.1:${port}` } }),
    commitsAcked: true,
    inTopology: na('it needs a MariaDB with rows to read; test/kinds/binlog runs it end to end'),
  },
  'stage map': {
    prepare: (ctx) => copyModule(ctx, 'enrich.mjs'),
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['generator'] },
  },
  'stage filter': {
    prepare: (ctx) => copyModule(ctx, 'warnings.mjs'),
    input: () =>
      generatorRecords().map((r, i) => ({
        ...r,
        value: { seq: i, level: i % 10 === 0 ? 'warn' : 'info' },
      })),
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['map'] },
  },
  'stage decompress': {
    input: () => [fileRecord(gzipSync(logLines(20)))],
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['hdfs'] },
  },
  'stage transcode': {
    input: () => [{ ...chunkRecord(logLines(20)), value: Buffer.from(logLines(20)) }],
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['decompress'] },
  },
  'stage distribute': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['filter'] },
  },
  'stage split': {
    input: () => [chunkRecord(logLines(20))],
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['transcode'] },
  },
  'stage parse': {
    input: () =>
      logLines(20)
        .trimEnd()
        .split('\n')
        .map((line, i) => ({
          value: line,
          key: 'f',
          ts: 0,
          headers: { file: 'f', line: String(i + 1) },
        })),
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['split'] },
  },
  'stage falcon': {
    input: () => [orderChange(1, { id: 1, amount: 12.5, qty: 3 }, 1_700_000_000_000)],
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: na('its input is binlog row changes with watch rules; test/kinds/cdc-pipelines.test.ts runs binlog -> falcon -> falcon'),
  },
  'stage changelog': {
    input: () => [orderChange(1, { id: 1, amount: 12.5, qty: 3 }, 1_700_000_000_000)],
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: na('its input is binlog row changes; test/kinds/changelog.test.ts and test/kinds/cdc-pipelines.test.ts run it'),
  },
  'stage checkpoint': {
    prepare: mirroredTopic,
    // The group had read source offsets 0..6 (committed 7): it goes on at destination offset 4 (source offset 8).
    input: () => [{ ts: 0, key: 'billing', value: { link: 'dc1-dc2', group: 'billing', ts: 0, offsets: [{ topic: 'orders', partition: 0, offset: 7 }] } }],
    endOfInput: notASource,
    notConnected: na('it reaches the destination per group-offsets record (no connect step); a cluster down fails that batch with NotConnected, which is retried'),
    commitsAcked: notASource,
    inTopology: na('its input is a link sender\'s group-offsets records; test/link/checkpoints.test.ts runs it between two clusters'),
  },
  'stage chain': {
    input: () => [chunkRecord(logLines(20))],
    endOfInput: notASource,
    notConnected: na('its steps are in-process stages; a step with a dependency would bring its own'),
    commitsAcked: notASource,
    inTopology: na('its example is split + parse, which the topology already runs as stages; end to end in test/kinds/chain.test.ts'),
  },
  'sink file': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: na('a local file: write errors are crashes, not lost connections'),
    commitsAcked: notASource,
    inTopology: { inputs: ['distribute'] },
  },
  'sink kafka': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: (port) => ({ ...kafkaDown(port), settings: { deliveryTimeoutMs: 1000 } }),
    commitsAcked: notASource,
    inTopology: { inputs: ['distribute'] },
  },
  'sink link': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: na('writes go to its local disk queue; an unreachable receiver delays shipping only (status: backoff)'),
    commitsAcked: notASource,
    inTopology: { inputs: ['distribute'] },
  },
  'sink agent': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: na('with no gateway reachable its batches go to its local spill queue and the write is done (status: gateway null); test/kinds/agent/sink.test.ts'),
    commitsAcked: notASource,
    inTopology: { inputs: ['distribute'] },
  },
  'sink stdout': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['distribute'] },
  },
  'sink blackhole': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: noDependency,
    commitsAcked: notASource,
    inTopology: { inputs: ['distribute', 'file-source'] },
  },
  'sink deadletter': {
    input: generatorRecords,
    endOfInput: notASource,
    notConnected: na('a local file, like the file sink'),
    commitsAcked: notASource,
    inTopology: { inputs: [] },
  },
  'sink database': {
    input: () => parsedRecords(50),
    endOfInput: notASource,
    notConnected: (port) => ({
      settings: {
        engine: {
          type: 'mysql',
          url: `mysql://millrace:millrace@127.0.0.1:${port}/millrace`,
          connectTimeoutMs: 1000,
        },
      },
    }),
    commitsAcked: notASource,
    inTopology: { inputs: ['parse'] },
  },
  'sink falcon': {
    prepare: exampleFalconAgent,
    input: () => points(20),
    endOfInput: notASource,
    notConnected: (port) => ({ settings: { url: `http://127.0.0.1:${port}/v1/push`, maxAttempts: 1 } }),
    commitsAcked: notASource,
    inTopology: na('it needs an agent to push to; test/kinds/cdc-pipelines.test.ts runs it'),
  },
  'sink pushgateway': {
    prepare: examplePushgateway,
    input: () => points(20),
    endOfInput: notASource,
    notConnected: (port) => ({ settings: { url: `http://127.0.0.1:${port}`, maxAttempts: 1 } }),
    commitsAcked: notASource,
    inTopology: na('it needs a Pushgateway to push to; test/kinds/pushgateway/sink.test.ts runs the real one'),
  },
  'sink opensearch': {
    prepare: exampleOpenSearch,
    input: () => logEvents(20),
    endOfInput: notASource,
    notConnected: (port) => ({ settings: { url: `http://127.0.0.1:${port}`, maxAttempts: 1 } }),
    commitsAcked: notASource,
    inTopology: na('it needs an OpenSearch node; test/kinds/opensearch/sink.test.ts runs it against a real one'),
  },
  'sink hive': {
    input: () => Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ seq: i, message: `event ${i}` }), ts: Date.UTC(2026, 0, 1) + i })),
    endOfInput: notASource,
    notConnected: (port) => ({ settings: { backend: { type: 'webhdfs', url: `http://127.0.0.1:${port}`, timeoutMs: 1000 } } }),
    commitsAcked: notASource,
    inTopology: na('its example table takes JSON events; the example topology carries plain text, every record of which would be dead-lettered (test/kinds/hive runs it)'),
  },
};
