import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { encodeRecords, type BatchMessage, type TransportRecord } from '../../src/gate/protocol.js';
import type { RunningGateway } from '../kinds/gateway/harness.js';
import { sendUntilAcked } from '../kinds/gateway/client.js';

/** A logger whose lines (parsed) are kept in `lines`, for checking alert lines. */
export function capturedLog(): { log: Logger; lines: { level: number; msg: string; stream?: string; sink?: string }[] } {
  const lines: { level: number; msg: string; stream?: string; sink?: string }[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  return { log: pino({ level: 'info' }, out), lines };
}

/**
 * Sends `count` records `seq=<first>`.. of `stream` through the gateway in batches of 100 as
 * agent `agent`, each stamped with event time `eventTs` (the agent's stamp); resolves with the
 * records stored once all are acked.
 */
export async function sendThroughGateway(gateway: RunningGateway, stream: string, token: string, count: number, eventTs: number, agent = 'host-1', first = 0): Promise<number> {
  let stored = 0;
  for (let from = 0, sequence = 0; from < count; from += 100, sequence++) {
    const records: TransportRecord[] = Array.from({ length: Math.min(100, count - from) }, (_, k) => ({ value: Buffer.from(`seq=${first + from + k}`), timestampMs: eventTs }));
    const batch: Partial<BatchMessage> = { streamId: stream, token, agentId: agent, sequence: String(sequence), compression: 'LZ4', records: encodeRecords(records, 'LZ4'), count: records.length };
    stored += (await sendUntilAcked(gateway.client, batch)).stored;
  }
  return stored;
}
