import * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeRecords, transportGrpc, type AckMessage, type BatchMessage } from '../../../src/gate/protocol.js';

/** How the peer answers the next Send calls. */
export type Behaviour =
  | { mode: 'ack'; delayMs?: number }
  | { mode: 'fail'; code: grpc.status }
  | { mode: 'pushback'; retryAfterMs: number }
  /** Stores the batch but the answer is lost (the call fails): the agent must send it again. */
  | { mode: 'lose-answer' };

/** A record the peer stored, with the batch it came in. */
export interface Stored {
  streamId: string;
  agentId: string;
  sequence: string;
  value: string;
  /** When it was stored (performance.now()). */
  at: number;
}

/**
 * The protocol peer of the agent sink until the gateway kind lands: a real @grpc/grpc-js server
 * of the Transport service on 127.0.0.1 that stores what it acks, counts a batch seen again (same
 * agent, stream and sequence) as duplicates, and can fail, delay, push back, say it is not
 * serving, and go away and come back on the same port.
 */
export class GatewayPeer {
  behaviour: Behaviour = { mode: 'ack' };
  serving = true;
  readonly stored: Stored[] = [];
  /** Send calls seen, answered or not. */
  calls = 0;
  duplicates = 0;
  private readonly seen = new Set<string>();
  private server: grpc.Server | undefined;

  private constructor(public port: number) {}

  static async start(port = 0): Promise<GatewayPeer> {
    const peer = new GatewayPeer(port);
    await peer.up();
    return peer;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Values stored for a stream, in the order stored. */
  values(streamId: string): string[] {
    return this.stored.filter((s) => s.streamId === streamId).map((s) => s.value);
  }

  /** Serves (again) on its port. */
  async up(): Promise<void> {
    const server = new grpc.Server();
    server.addService(transportGrpc().service, {
      Send: (call: grpc.ServerUnaryCall<BatchMessage, AckMessage>, done: grpc.sendUnaryData<AckMessage>) => void this.send(call.request, done),
      Health: (_call: unknown, done: grpc.sendUnaryData<{ serving: boolean }>) => done(null, { serving: this.serving }),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
  }

  /** Goes away: open calls are cut, new ones find nothing listening. */
  down(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  private async send(batch: BatchMessage, done: grpc.sendUnaryData<AckMessage>): Promise<void> {
    this.calls++;
    const b = this.behaviour;
    if (b.mode === 'fail') return done({ code: b.code, details: 'the test gateway fails this batch' });
    if (b.mode === 'pushback') {
      const trailers = new grpc.Metadata();
      trailers.set('retry-after-ms', String(b.retryAfterMs));
      return done({ code: grpc.status.RESOURCE_EXHAUSTED, details: `stream ${batch.streamId} queue full`, metadata: trailers });
    }
    if (b.mode === 'ack' && b.delayMs) await sleep(b.delayMs);
    const key = `${batch.agentId}|${batch.streamId}|${batch.sequence}`;
    const records = decodeRecords(batch.records, batch.compression, batch.count);
    let duplicates = 0;
    if (this.seen.has(key)) duplicates = records.length;
    else {
      this.seen.add(key);
      const at = performance.now();
      for (const r of records) this.stored.push({ streamId: batch.streamId, agentId: batch.agentId, sequence: batch.sequence, value: r.value.toString('utf8'), at });
    }
    this.duplicates += duplicates;
    if (b.mode === 'lose-answer') return done({ code: grpc.status.UNAVAILABLE, details: 'the answer was lost' });
    done(null, { sequence: batch.sequence, stored: records.length - duplicates, duplicates });
  }
}
