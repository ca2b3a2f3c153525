import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { useKafka } from '../infra/kafka/fixture.js';
import { millrace, topologyDir, type Exited } from './process.js';

/** Open sockets of a process (Linux): its fds that are sockets. */
function socketCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0; // exited
  }
}

/** Runs `millrace run` on `yaml` to its exit, sampling the process's socket count meanwhile. */
async function runToExit(yaml: string, files: Record<string, string> = {}): Promise<Exited & { ms: number; maxSockets: number }> {
  const { dir, file } = topologyDir(yaml);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const started = Date.now();
  const run = millrace(['run', file], dir);
  let maxSockets = 0;
  const sampler = setInterval(() => (maxSockets = Math.max(maxSockets, socketCount(run.proc.pid ?? 0))), 200);
  const exited = await run.exited.finally(() => clearInterval(sampler));
  return { ...exited, ms: Date.now() - started, maxSockets };
}

describe('a run that fails exits with its cause', () => {
  const kafka = useKafka();

  it('a kafka source out of range (offsetOutOfRange: fail) exits 1 after its restarts, naming the actor and the offset, with each attempt’s broker connections closed', async () => {
    const topic = `failed-run-${Date.now()}`;
    const client = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    await admin.setOffsets({ groupId: 'strict', topic, partitions: [{ partition: 0, offset: '1000000' }] });
    await admin.disconnect();

    const result = await runToExit(`
sources:
  in:
    kind: kafka
    cluster: { type: kafka, brokers: [${kafka.brokers.join(', ')}] }
    group: strict
    topics: [${topic}]
    offsetOutOfRange: fail
    sessionTimeoutMs: 6000
    supervision: { intensity: { maxRestarts: 6, periodMs: 600000 }, backoff: { minMs: 100, maxMs: 200 } }
sinks:
  out: { kind: blackhole, inputs: [in] }
`);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`topology failed: kafka actor 'in' \\(replica 0\\): .*offset 1000000 of group strict is out of range for ${topic}/0`));
    expect(result.stderr).toContain('restart intensity exceeded');
    // One attempt holds a handful of broker connections; leaked ones would add up over 7 attempts.
    expect(result.maxSockets).toBeLessThanOrEqual(8);
  }, 180_000);
});

describe('a setting that cannot work exits 2 at once, naming it', () => {
  const topology = (module: string): string => `
sources:
  gen: { kind: generator, count: 10 }
stages:
  enrich: { kind: map, inputs: [gen], module: ${module}, export: map }
sinks:
  out: { kind: blackhole, inputs: [enrich] }
`;
  const cases: [string, string, Record<string, string>, RegExp][] = [
    ['throwing at import', './throws.mjs', { 'throws.mjs': "throw new Error('no config for enrich');\nexport function map(r) { return r; }\n" }, /cannot load map module .*throws\.mjs: no config for enrich/],
    ['with a syntax error', './broken.mjs', { 'broken.mjs': 'export function map(r) { return r;\n' }, /cannot load map module .*broken\.mjs/],
    ['without the named export', './other.mjs', { 'other.mjs': 'export function transform(r) { return r; }\n' }, /map module .*other\.mjs has no function export "map" \(found: transform\)/],
  ];

  it.each(cases)('a map module %s: run exits 2 within seconds with the path and its error', async (_, module, files, message) => {
    const result = await runToExit(topology(module), files);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/topology failed: map actor 'enrich' \(replica 0\): /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('invalid configuration: not restarted');
    // No restarts (the default backoff would take several seconds for five), and no drain wait
    // for acks that cannot come (30 s by default).
    expect(result.ms).toBeLessThan(10_000);
  }, 60_000);

  it.each(['validate', 'run'])('%s fails on a module path that does not exist, pointing at the setting', async (command) => {
    const { file } = topologyDir(topology('./absent.mjs'));
    const result = await millrace([command, file]).exited;
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/topology\.yaml:\d+:\d+: stages\.enrich\.module: file not found: .*absent\.mjs/);
  }, 60_000);
});
