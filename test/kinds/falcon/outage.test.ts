// The falcon sink in a runtime while the agent (the API-faithful stand-in) answers 500s and
// times out for several seconds: the sink backs off, nothing is dead-lettered or lost.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { falconSinkKind } from '../../../src/kinds/falcon/sink.js';
import { startPushReceiver, type PushReceiver } from '../../infra/falcon-agent/push-receiver.js';
import { recordSource } from '../database/fixtures.js';
import { run, topology } from '../../runtime/harness.js';
import { points } from './fixtures.js';

describe('falcon sink through an agent outage', () => {
  let agent: PushReceiver;

  beforeEach(async () => {
    agent = await startPushReceiver();
  });
  afterEach(async () => {
    await agent.close();
  });

  it('delivers every point once the agent is back, after 500s and timeouts, with nothing dead-lettered', async () => {
    const t = topology([
      { id: 'src', role: 'source', kind: recordSource(points(2000), 50) },
      { id: 'falcon', role: 'sink', kind: falconSinkKind, inputs: ['src'] },
    ]);
    (t.nodes[1] as (typeof t.nodes)[number]).config = falconSinkKind.config.parse({ url: agent.url, maxAttempts: 3, minBackoffMs: 50, timeoutMs: 300, maxPointsPerPush: 100 });
    // Down for 6 s from before the first push: every answer a 500, and every 200 ms one held past the timeout.
    agent.failNext(1_000_000, 500);
    const slow = setInterval(() => agent.delayNext(1, 400), 200);
    const outage = setTimeout(() => {
      clearInterval(slow);
      agent.failNext(0, 500);
      agent.delayNext(0, 0);
    }, 6000);
    const started = Date.now();
    try {
      const { deadLettered } = await run(t);
      expect(deadLettered).toEqual([]);
      expect(Date.now() - started, 'the run waited out the outage').toBeGreaterThanOrEqual(5900);
    } finally {
      clearTimeout(outage);
      clearInterval(slow);
    }
    const values = new Set(agent.pushes.flat().map((p) => p.value));
    expect(values.size).toBe(2000);
  }, 60_000);
});
