import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { millrace, topologyDir } from './process.js';

/** Lines the stdout sink printed (one JSON record per line), by value. */
function printed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { value: string }).value);
}

describe('kafka source until: end', () => {
  const kafka = useKafka();

  it('copies what the topics held when it started and exits 0; records appended meanwhile are left for the next run', async () => {
    const topic = `until-end-${Date.now()}`;
    const client = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer();
    await producer.connect();
    const before = Array.from({ length: 3000 }, (_, i) => `before ${i}`);
    await producer.send({ topic, messages: before.map((value, i) => ({ key: `k${i % 7}`, value: JSON.stringify(value) })) });

    const { dir, file } = topologyDir(`
sources:
  in:
    kind: kafka
    cluster: { type: kafka, brokers: [${kafka.brokers.join(', ')}] }
    group: backfill
    topics: [${topic}]
    until: end
    encoding: json
sinks:
  out: { kind: stdout, inputs: [in] }
`);
    const run = millrace(['run', file], dir);
    let stdout = '';
    run.proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    // The ends were read at connect, before the first record came out.
    await eventually(() => stdout.length > 0 || run.proc.exitCode !== null, { what: 'the first copied record', timeoutMs: 60_000 });
    await producer.send({ topic, messages: [{ value: '"after 0"' }, { value: '"after 1"' }] });
    const first = await run.exited;
    expect(first.code, first.stderr).toBe(0);
    expect(printed(first.stdout).sort()).toEqual([...before].sort());

    // The same group again: only what was appended after the first run's ends.
    const second = await millrace(['run', file], dir).exited;
    await producer.disconnect();
    expect(second.code, second.stderr).toBe(0);
    expect(printed(second.stdout).sort()).toEqual(['after 0', 'after 1']);
  }, 180_000);
});
