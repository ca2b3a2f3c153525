import type { Ack } from '../../streams/ack.js';
import { makeBatch } from '../../streams/batch.js';
import type { Channel } from '../../streams/channel.js';
import { rejectedBy, type Origin } from '../../streams/origin.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { DeadRecord } from '../io.js';
import { headersText, textOf } from '../../core/text-or-bytes.js';

/** What a dead-letter record's value holds: enough to find, understand and replay the input. */
export interface DeadLetterEntry {
  reason: string;
  actor: string;
  position: string;
  key: string | null;
  ts: number;
  /** The record's value as text (UTF-8) or, for bytes that are not valid UTF-8, base64. */
  value: string;
  encoding: 'utf8' | 'base64' | 'json';
  headers?: Record<string, string>;
}

function encodeValue(value: LogRecord['value']): Pick<DeadLetterEntry, 'value' | 'encoding'> {
  if (typeof value === 'string') return { value, encoding: 'utf8' };
  if (value instanceof Uint8Array) {
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const text = buf.toString('utf8');
    return Buffer.byteLength(text) === buf.byteLength && !text.includes('\uFFFD')
      ? { value: text, encoding: 'utf8' }
      : { value: buf.toString('base64'), encoding: 'base64' };
  }
  return { value: JSON.stringify(value), encoding: 'json' };
}

/** Routes rejected records to the runtime's dead-letter channel, with reason, actor and position. */
export class DeadLetters {
  /** Dead-lettered records per actor, for metrics. */
  readonly counts = new Map<string, number>();

  constructor(private readonly channel: Channel | undefined) {}

  /**
   * Dead-letters `dead`; `ack` settles once the dead-letter sink has stored them. `origin`: that of
   * the batch they were rejected from (the dead letters' stream is marked as `actor`'s rejects).
   */
  async send(actor: string, position: string, dead: readonly DeadRecord[], ack: Ack, origin?: Origin): Promise<void> {
    if (dead.length === 0) {
      ack.done();
      return;
    }
    this.counts.set(actor, (this.counts.get(actor) ?? 0) + dead.length);
    if (this.channel === undefined) {
      ack.fail(`no dead-letter sink for ${dead.length} record(s) from ${actor}: ${dead[0]?.reason}`);
      return;
    }
    const records: LogRecord[] = dead.map(({ record, reason, position: own }) => {
      const entry: DeadLetterEntry = {
        reason,
        actor,
        position: own ?? position,
        key: record.key === undefined ? null : textOf(record.key),
        ts: record.ts,
        ...encodeValue(record.value),
      };
      if (record.headers !== undefined) entry.headers = headersText(record.headers);
      return { value: entry as unknown as { [key: string]: Json }, ts: Date.now() };
    });
    await this.channel.offer(makeBatch(records, ack, position, rejectedBy(origin, actor)));
  }
}
