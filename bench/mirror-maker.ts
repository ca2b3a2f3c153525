/**
 * Kafka's MirrorMaker 2 for bench/mirror.ts: its jars (connect-mirror of the same Kafka version as
 * test/infra/kafka, from Maven Central through test/infra/mirrormaker/pom.xml) and one dedicated
 * `org.apache.kafka.connect.mirror.MirrorMaker` process with a minimal config.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HERE = path.resolve(import.meta.dirname, '..');
const POM = path.join(HERE, 'test/infra/mirrormaker/pom.xml');
const LIB = path.join(HERE, '.infra/mirrormaker/lib');
const LOG4J = path.join(HERE, 'test/infra/kafka/log4j-tools.properties');

/** Copies MirrorMaker 2's jars into .infra/mirrormaker/lib once (again when the pom changes). */
export function fetchMirrorMaker(): string {
  const want = createHash('sha256').update(readFileSync(POM)).digest('hex');
  const stamp = path.join(LIB, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return LIB;
  const tmp = `${LIB}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(path.join(tmp, '.stamp'), want + '\n');
  rmSync(LIB, { recursive: true, force: true });
  renameSync(tmp, LIB);
  return LIB;
}

export interface MirrorMakerRun {
  /** The topic MM2 writes in the target (default replication policy: `<source alias>.<topic>`). */
  targetTopic: string;
  stop(): Promise<void>;
}

/**
 * Starts MirrorMaker 2 copying `topic` from `source` to `target` (bootstrap lists). The aliases
 * are fresh per run so each run has its own target topic and internal topics. Its producer
 * compresses with LZ4; everything else is MM2's default (one task).
 */
export function startMirrorMaker(o: { dir: string; alias: string; source: string; target: string; topic: string }): MirrorMakerRun {
  const lib = fetchMirrorMaker();
  const src = `${o.alias}src`;
  const dst = `${o.alias}dst`;
  const props = path.join(o.dir, `mm2-${o.alias}.properties`);
  const rf1 = ['replication.factor', 'checkpoints.topic.replication.factor', 'heartbeats.topic.replication.factor', 'offset-syncs.topic.replication.factor', 'offset.storage.replication.factor', 'status.storage.replication.factor', 'config.storage.replication.factor'];
  writeFileSync(
    props,
    [
      `clusters = ${src}, ${dst}`,
      `${src}.bootstrap.servers = ${o.source}`,
      `${dst}.bootstrap.servers = ${o.target}`,
      `${src}->${dst}.enabled = true`,
      `${src}->${dst}.topics = ${o.topic}`,
      `${dst}->${src}.enabled = false`,
      `${dst}.producer.compression.type = lz4`,
      ...rf1.map((k) => `${k} = 1`),
    ].join('\n') + '\n',
  );
  const child = spawn('java', ['-Xms256m', '-Xmx1g', `-Dlog4j.configuration=file:${LOG4J}`, '-cp', `${lib}/*`, 'org.apache.kafka.connect.mirror.MirrorMaker', props], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  let stopping = false;
  child.on('exit', (code) => {
    if (!stopping) process.stderr.write(`MirrorMaker 2 exited with ${code}: ${stderr}\n`);
  });
  return {
    targetTopic: `${src}.${o.topic}`,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

/** SIGTERM, then SIGKILL after 20 s; resolves once the process is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
