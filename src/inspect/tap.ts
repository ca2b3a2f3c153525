import type { Outputs } from '../actors/pump/outputs.js';
import type { LogRecord } from '../streams/record.js';
import { headersText, textOf } from '../core/text-or-bytes.js';

/** A sampled record as `tap` prints it: the value as text (UTF-8), base64 or JSON. */
export interface TappedRecord {
  actor: string;
  ts: number;
  key?: string;
  stream?: string;
  headers?: Record<string, string>;
  value: unknown;
  encoding: 'utf8' | 'base64' | 'json';
}

interface Client {
  perSecond: number;
  tokens: number;
  refilled: number;
  deliver: (records: TappedRecord[]) => void;
}

function tapped(actor: string, r: LogRecord): TappedRecord {
  const out: TappedRecord = { actor, ts: r.ts, value: r.value, encoding: 'json' };
  if (typeof r.value === 'string') out.encoding = 'utf8';
  else if (r.value instanceof Uint8Array) {
    const buf = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    const text = buf.toString('utf8');
    const clean = !text.includes('\uFFFD');
    out.value = clean ? text : buf.toString('base64');
    out.encoding = clean ? 'utf8' : 'base64';
  }
  if (r.key !== undefined) out.key = textOf(r.key);
  if (r.stream !== undefined) out.stream = r.stream;
  if (r.headers !== undefined) out.headers = headersText(r.headers);
  return out;
}

/**
 * Samples records leaving actors, only while someone listens: the first client of an actor sets
 * its {@link Outputs.tap}, the last one to leave unsets it. Each client gets at most `perSecond`
 * records a second (a token bucket), taken evenly across each batch.
 *
 * @example
 * const stop = taps.open('parse', 20, (records) => stream.send('records', records));
 */
export class TapHub {
  private readonly clients = new Map<string, Set<Client>>();

  constructor(private readonly outputsOf: (actor: string) => Outputs | undefined) {}

  /** Starts sampling `actor` for one client; returns the function that stops it. */
  open(actor: string, perSecond: number, deliver: (records: TappedRecord[]) => void): () => void {
    const outputs = this.outputsOf(actor);
    if (outputs === undefined) throw new Error(`no actor "${actor}"`);
    const client: Client = { perSecond, tokens: perSecond, refilled: Date.now(), deliver };
    let set = this.clients.get(actor);
    if (set === undefined) {
      const clients = (set = new Set());
      this.clients.set(actor, set);
      outputs.tap = (records) => {
        for (const c of clients) sample(actor, records, c);
      };
    }
    set.add(client);
    return () => {
      set.delete(client);
      if (set.size > 0 || this.clients.get(actor) !== set) return;
      this.clients.delete(actor);
      outputs.tap = undefined;
    };
  }

  /** Clients listening to `actor`. */
  listeners(actor: string): number {
    return this.clients.get(actor)?.size ?? 0;
  }
}

function sample(actor: string, records: readonly LogRecord[], c: Client): void {
  const now = Date.now();
  c.tokens = Math.min(c.perSecond, c.tokens + ((now - c.refilled) * c.perSecond) / 1000);
  c.refilled = now;
  const take = Math.min(Math.floor(c.tokens), records.length);
  if (take <= 0) return;
  c.tokens -= take;
  const step = records.length / take;
  const out: TappedRecord[] = [];
  for (let i = 0; i < take; i++) out.push(tapped(actor, records[Math.floor(i * step)] as LogRecord));
  c.deliver(out);
}
