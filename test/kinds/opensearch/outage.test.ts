import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { lifecycleState, type LifecycleSnapshot } from '../../../src/actors/lifecycle.js';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { openSearchSinkKind } from '../../../src/kinds/opensearch/sink.js';
import { cleanOpenSearch, countDocuments, kill9OpenSearch, startOpenSearch } from '../../infra/opensearch/node.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { eventually } from '../../kit/eventually.js';
import { freePort } from '../../kit/free-port.js';
import { missingPart } from '../../real-part.js';
import { quietLog } from '../../runtime/harness.js';
import { build, kafkaTransport, shared } from '../kafka/helpers.js';
import { logEvents, noOpenSearch, sendEvents } from './fixtures.js';

// A node of its own: this test kills it.
const NAME = 'outage';

describe.skipIf(
  noOpenSearch() || missingPart(process.env.MILLRACE_OPENSEARCH_URL === undefined, 'an OpenSearch node of its own to kill', 'unset MILLRACE_OPENSEARCH_URL'),
)('opensearch sink while its node is down', () => {
  const kafka = useKafka();
  let port = 0;
  let url = '';

  beforeAll(async () => {
    port = await freePort();
    await cleanOpenSearch(NAME);
    url = await startOpenSearch(NAME, port);
  }, 240_000);

  afterAll(async () => {
    await cleanOpenSearch(NAME);
  }, 120_000);

  it('backs off while the node is killed for a while mid-run, loses nothing and doubles nothing once it is back', async () => {
    const topic = `millrace-outage-${process.pid}-${Date.now()}`;
    const index = `millrace-outage-${Date.now()}`;
    const n = 10_000;
    // 500 events every 250 ms: the stream is still flowing while the node is down and coming back.
    const producing = sendEvents(kafka.brokers, topic, 2, logEvents(n), 500, 250);

    const states = new Set<string>();
    const inspect = (e: InspectionEvent): void => {
      const snapshot = e.type === '@xstate.snapshot' ? (e.snapshot as LifecycleSnapshot & { context?: { id?: string } }) : undefined;
      if (snapshot?.context?.id === 'search' && snapshot.value !== undefined) states.add(lifecycleState(snapshot));
    };
    const runtime = new Runtime(
      build(kafkaTransport(kafka.brokers), [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { topics: [topic], sessionTimeoutMs: 6000 } },
        {
          id: 'search',
          role: 'sink',
          kind: openSearchSinkKind,
          config: { url, index, maxAttempts: 3, minBackoffMs: 100, maxBackoffMs: 500, timeoutMs: 5000 },
          inputs: ['in'],
        },
      ]),
      { log: quietLog, drainTimeoutMs: 10_000, shared, inspect },
    );
    await runtime.start();
    const status = (): Record<string, number> => runtime.nodes.get('search')?.io[0]?.status?.() as unknown as Record<string, number>;
    try {
      await eventually(() => (status().indexed ?? 0) >= 2000, { what: 'the first 2000 documents', timeoutMs: 60_000 });
      await kill9OpenSearch(NAME);
      const indexedWhenKilled = status().indexed ?? 0;
      await sleep(8000);
      // Nothing can be acked while the node is down.
      expect(status().indexed).toBe(indexedWhenKilled);
      await startOpenSearch(NAME, port);
      await producing;
      await eventually(async () => (await countDocuments(url, index)) >= n, { what: `${n} documents in the index`, timeoutMs: 120_000 });
      expect(await countDocuments(url, index)).toBe(n);
      expect(status()).toMatchObject({ deadLettered: 0 });
      expect(status().failedRequests).toBeGreaterThan(0);
      expect([...states].filter((state) => state === 'backoff' || state === 'failed'), 'a node that is down is a lost connection, not a crash').toEqual(['backoff']);
    } finally {
      await runtime.stop();
    }
  }, 240_000);
});
