/**
 * Scale-out across processes (issue #17 item 4a): the same Kafka -> CPU-heavy map -> Kafka
 * topology run as one process pinned to one core, and as two processes of one consumer group,
 * each pinned to its own core (`taskset`), interleaved rounds, medians. Each run copies the
 * whole input topic once (`until: end`) and is checked by the output topic's record count.
 *
 *   node --import tsx bench/scale.ts [--records 300000] [--rounds 3] [--port 26192]
 *
 * On this 2-core machine the broker shares the cores with the millrace processes: its CPU time
 * per run is measured too. Two references run in the same rounds: the bound (the same map over the
 * same records in one bare node process, and split over two, pinned the same way: what the cores
 * give when nothing but the work runs) and the fixed cost (each topology over an empty topic:
 * start-up, group join, shutdown), so the speedup of the work itself is reported next to the
 * whole runs'.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { ensureKafka } from '../test/infra/kafka/broker.js';
import { compiledCli } from './compiled-cli.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';
import { topologyFlags } from './topology-flags.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const PARTITIONS = 6;

/** A CPU-heavy map: 40 rounds of SHA-256 over the value (~0.3 ms per record here). */
const CPU_MAP = `import { createHash } from 'node:crypto';
export function map(record) {
  let digest = String(record.value);
  for (let i = 0; i < 40; i++) digest = createHash('sha256').update(digest).digest('hex');
  return { ...record, value: digest };
}
`;

function topology(brokers: string[], input: string, output: string, group: string): string {
  return `name: scale
dataDir: ./data-${group}
transport: { type: kafka, brokers: [${brokers.join(', ')}] }
sources:
  in: { kind: kafka, topics: [${input}], group: ${group}, until: end, encoding: raw }
stages:
  cpu: { kind: map, inputs: [in], module: ./cpu.mjs, export: map }
sinks:
  out: { kind: kafka, inputs: [cpu], topic: ${output}, acks: all, compression: lz4, encoding: raw }
`;
}

/** The map's work with nothing around it: records `from` to `to` of the input, as the bench writes them. */
const BARE = `import { map } from './cpu.mjs';
const [from, to] = process.argv.slice(2).map(Number);
const value = 'x'.repeat(180);
for (let i = from; i < to; i++) map({ value: \`\${i} \${value}\` });
`;

/** Runs the bare map over `records` split among `processes` node processes, process i pinned to core i; resolves with the wall time. */
async function runBare(dir: string, records: number, processes: number): Promise<number> {
  const started = performance.now();
  const share = Math.ceil(records / processes);
  await Promise.all(
    Array.from({ length: processes }, (_, core) =>
      new Promise<void>((resolve, reject) => {
        const range = [core * share, Math.min(records, (core + 1) * share)].map(String);
        const child = spawn('taskset', ['-c', String(core), process.execPath, join(dir, 'bare.mjs'), ...range], { cwd: dir, stdio: 'ignore' });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bare map exited ${code}`))));
      }),
    ),
  );
  return (performance.now() - started) / 1000;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  // Fields after the command name: state is [0], utime [11], stime [12].
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Runs `processes` millrace processes of one group, process i pinned to core i; resolves with the wall time. */
async function runGroup(dir: string, file: string, processes: number): Promise<number> {
  const started = performance.now();
  const runs = Array.from({ length: processes }, (_, core) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('taskset', ['-c', String(core), process.execPath, ...topologyFlags, compiledCli(), 'run', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`millrace exited ${code}: ${stderr}`))));
    }),
  );
  await Promise.all(runs);
  return (performance.now() - started) / 1000;
}

async function countRecords(admin: kafkajs.Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

export async function runScaleBench(records = 300_000, rounds = 3, port = 26192): Promise<Record<string, unknown>> {
  // Other load on the cores weighs on two pinned processes more than on one: it is recorded.
  const loadBefore = os.loadavg()[0];
  const kafka = await ensureKafka('millrace-scale-bench', port);
  try {
    const client = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const stamp = Date.now();
    const input = `scale-in-${stamp}`;
    const empty = `scale-empty-${stamp}`;
    await admin.createTopics({ topics: [input, empty].map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    const value = 'x'.repeat(180);
    for (let i = 0; i < records; i += 5000) {
      const n = Math.min(5000, records - i);
      await producer.send({ topic: input, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ key: `k${(i + j) % 64}`, value: `${i + j} ${value}` })) });
    }
    await producer.disconnect();

    const dir = mkdtempSync(join(os.tmpdir(), 'millrace-scale-'));
    writeFileSync(join(dir, 'cpu.mjs'), CPU_MAP);
    writeFileSync(join(dir, 'bare.mjs'), BARE);
    const brokerPid = Number(readFileSync(join(REPO_ROOT, '.infra/kafka/millrace-scale-bench/pid'), 'utf8').trim());
    const wall: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const brokerCpu: Record<1 | 2, number[]> = { 1: [], 2: [] };
    // Records written more than once: at-least-once re-reads when the second process joins the group.
    const duplicates: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const bare: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const fixed: Record<1 | 2, number[]> = { 1: [], 2: [] };
    let run = 0;
    for (let round = 0; round < rounds; round++) {
      for (const processes of [1, 2] as const) {
        run += 1;
        const output = `scale-out-${stamp}-${run}`;
        await admin.createTopics({ topics: [{ topic: output, numPartitions: PARTITIONS }], waitForLeaders: true });
        const file = join(dir, `topology-${run}.yaml`);
        writeFileSync(file, topology(kafka.brokers, input, output, `scale-${stamp}-${run}`));
        const cpuBefore = cpuSeconds(brokerPid);
        const seconds = await runGroup(dir, file, processes);
        brokerCpu[processes].push(cpuSeconds(brokerPid) - cpuBefore);
        const copied = await countRecords(admin, output);
        if (copied < records) throw new Error(`run ${run} (${processes} processes) copied ${copied} of ${records} records`);
        wall[processes].push(seconds);
        duplicates[processes].push(copied - records);
        bare[processes].push(await runBare(dir, records, processes));
        run += 1;
        const idle = join(dir, `topology-${run}.yaml`);
        writeFileSync(idle, topology(kafka.brokers, empty, `scale-out-${stamp}-${run}`, `scale-${stamp}-${run}`));
        fixed[processes].push(await runGroup(dir, idle, processes));
        process.stderr.write(
          `scale: round ${round + 1}, ${processes} process(es): ${seconds.toFixed(1)} s, ${copied} records out; bare map ${bare[processes].at(-1)?.toFixed(1)} s; empty topic ${fixed[processes].at(-1)?.toFixed(1)} s\n`,
        );
      }
    }
    await admin.disconnect();
    const one = median(wall[1]);
    const two = median(wall[2]);
    const [fixedOne, fixedTwo] = [median(fixed[1]), median(fixed[2])];
    const [bareOne, bareTwo] = [median(bare[1]), median(bare[2])];
    return {
      records,
      rounds,
      partitions: PARTITIONS,
      cores: os.cpus().length,
      oneProcessSeconds: Number(one.toFixed(2)),
      twoProcessesSeconds: Number(two.toFixed(2)),
      speedup: Number((one / two).toFixed(2)),
      // The same map in bare node processes: what two pinned cores give here, now.
      bareOneSeconds: Number(bareOne.toFixed(2)),
      bareTwoSeconds: Number(bareTwo.toFixed(2)),
      boundSpeedup: Number((bareOne / bareTwo).toFixed(2)),
      // Start-up, group join and shutdown over an empty topic; the work is the rest.
      fixedOneSeconds: Number(fixedOne.toFixed(2)),
      fixedTwoSeconds: Number(fixedTwo.toFixed(2)),
      workSpeedup: Number(((one - fixedOne) / (two - fixedTwo)).toFixed(2)),
      speedupOfBound: Number((one / two / (bareOne / bareTwo)).toFixed(2)),
      recordsPerSecondOne: Math.round(records / one),
      recordsPerSecondTwo: Math.round(records / two),
      brokerCpuSecondsOne: Number(median(brokerCpu[1]).toFixed(1)),
      brokerCpuSecondsTwo: Number(median(brokerCpu[2]).toFixed(1)),
      loadAverage: { before: Number(loadBefore?.toFixed(2)), after: Number(os.loadavg()[0]?.toFixed(2)) },
      duplicatesOne: duplicates[1],
      duplicatesTwo: duplicates[2],
    };
  } finally {
    await kafka.stop();
  }
}

if (isMain(import.meta.url)) {
  const result = await runScaleBench(numberArg('records'), numberArg('rounds'), numberArg('port'));
  await saveResult('scale', result, undefined);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
