import net from 'node:net';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DiskQueue } from './disk-queue.js';
import { encodeFrame, FrameReader, type Frame } from './frame.js';
import { nonce, proof, proofMatches } from './handshake-proof.js';
import { LinkProtocolError } from './protocol-error.js';
import { SenderWindow } from './sequence.js';
import { Wake } from '../core/wake.js';
import { byTopic, TopicCounters } from './link-metrics.js';
import { compressEncoded } from './wire-record.js';
import type { LinkCompression } from './frame-codec.js';

export interface LinkSenderOptions {
  queue: DiskQueue;
  link: string;
  host: string;
  port: number;
  windowBytes: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  maxFrameBytes: number;
  compression: LinkCompression;
  ackTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  /** The link's shared secret: the receiver must prove it, and so does this sender. */
  secret?: string | undefined;
  /** Connect over TLS with these options (CA, client certificate, server name). */
  tls?: tls.ConnectionOptions | undefined;
  log: Logger;
  /** Called when the receiver acknowledged more records. */
  onAcked?(): void;
}

/** Counters of the sending side, for `status()`. */
export interface SenderStats {
  state: 'connecting' | 'streaming' | 'backoff' | 'stopped';
  lastError: string | null;
  seqSent: number;
  seqAcked: number;
  reconnects: number;
  framesSent: number;
  bytesUncompressed: number;
  bytesCompressed: number;
  rttMs: number | null;
}

/**
 * The sending end of a link: connects (reconnecting with backoff), learns from the handshake
 * where the receiver is, then streams frames of queued records while the bytes in flight fit the
 * window, never waiting for one ack per frame. See docs/decisions/mirror-link.md.
 */
export class LinkSender {
  readonly stats: SenderStats = { state: 'connecting', lastError: null, seqSent: 0, seqAcked: 0, reconnects: 0, framesSent: 0, bytesUncompressed: 0, bytesCompressed: 0, rttMs: null };
  /** Records queued, sent and acknowledged per source topic. */
  readonly topics = new TopicCounters();
  private readonly wake = new Wake();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private socket: net.Socket | undefined;

  constructor(private readonly o: LinkSenderOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** New records are in the queue. */
  notify(): void {
    this.wake.notify();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.socket?.destroy();
    this.wake.notify();
    await this.running;
    this.stats.state = 'stopped';
  }

  private async loop(): Promise<void> {
    let delay = this.o.backoff.initialMs;
    while (!this.abort.signal.aborted) {
      this.stats.state = 'connecting';
      try {
        await this.session(() => (delay = this.o.backoff.initialMs));
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const message = (err as Error).message;
        // Warned once per outage and cause: a receiver down for hours is retried every few seconds.
        const level = message === this.stats.lastError && this.stats.state === 'connecting' && delay === this.o.backoff.maxMs ? 'debug' : 'warn';
        this.stats.lastError = message;
        this.o.log[level]({ err: message }, `link ${this.o.link}: connection to ${this.o.host}:${this.o.port} lost: ${message}; retrying in ${delay} ms`);
      } finally {
        this.socket?.destroy();
        this.socket = undefined;
      }
      if (this.abort.signal.aborted) return;
      this.stats.state = 'backoff';
      this.stats.reconnects++;
      await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, this.o.backoff.maxMs);
    }
  }

  private async session(connected: () => void): Promise<void> {
    const socket =
      this.o.tls === undefined
        ? net.connect({ host: this.o.host, port: this.o.port, noDelay: true })
        : tls.connect({ servername: this.o.host, ...this.o.tls, host: this.o.host, port: this.o.port }).setNoDelay(true);
    this.socket = socket;
    const hello = { ownNonce: nonce(), challenged: false, write: (f: Frame) => socket.write(encodeFrame(f)) };
    const reader = new FrameReader(this.o.maxFrameBytes);
    // What was trimmed had been acknowledged: a receiver now below it lost data.
    const window = new SenderWindow(this.o.windowBytes, Math.max(this.stats.seqAcked, this.o.queue.trimmed));
    let failure: Error | undefined;
    let welcome: number | undefined;
    let lastAck = Date.now();
    /** Per frame in flight, by its last sequence number: when it went out and its records per topic. */
    const sentAt = new Map<number, { at: number; topics: Map<string, { records: number }> }>();
    const fail = (err: Error): void => {
      failure ??= err;
      this.wake.notify();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the receiver')));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          if (welcome === undefined) welcome = this.onHandshake(f, hello);
          else this.onFrame(f, window, sentAt, () => (lastAck = Date.now()));
        }
      } catch (err) {
        fail(err as Error);
      }
      this.wake.notify();
    });
    hello.write({ type: 'hello', link: this.o.link, nonce: hello.ownNonce });
    const deadline = Date.now() + this.o.ackTimeoutMs;
    while (welcome === undefined && failure === undefined) {
      if (Date.now() > deadline) throw new Error(`no handshake answer within ${this.o.ackTimeoutMs} ms`);
      await this.wake.wait(100);
    }
    if (failure !== undefined) throw failure;
    window.resume(welcome as number, this.o.queue.tail, this.o.queue.head);
    this.o.log.info({ persisted: welcome, queued: this.o.queue.head }, `link ${this.o.link}: connected to ${this.o.host}:${this.o.port}; the receiver has up to ${welcome as number}, resuming from ${window.next}`);
    this.stats.seqAcked = window.acked;
    this.o.onAcked?.();
    this.stats.state = 'streaming';
    connected();
    for (;;) {
      if (this.abort.signal.aborted) return;
      if (failure !== undefined) throw failure;
      while (window.open && window.next <= this.o.queue.head) {
        // Shipped as queued: the frame body is the records' stored encodings, joined.
        const records = await this.o.queue.readEncoded(window.next, this.o.maxBatchRecords, this.o.maxBatchBytes);
        if (records.length === 0) break;
        const batch = await compressEncoded(records, this.o.compression);
        const frame = encodeFrame({ type: 'data', first: window.next, count: records.length, ...batch });
        if (window.bytesInFlight === 0) lastAck = Date.now();
        const topics = byTopic(records);
        for (const [topic, t] of topics) this.topics.add(topic, 'sent', t.records);
        sentAt.set(window.next + records.length - 1, { at: performance.now(), topics });
        window.sent(records.length, frame.length);
        this.stats.seqSent = window.next - 1;
        this.stats.framesSent++;
        this.stats.bytesUncompressed += batch.rawLength;
        this.stats.bytesCompressed += frame.length;
        // A socket already destroyed emits no more 'close' to wait for.
        if (!socket.write(frame) && !socket.destroyed) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
        if (failure !== undefined) throw failure;
      }
      if (window.bytesInFlight > 0 && Date.now() - lastAck > this.o.ackTimeoutMs)
        throw new Error(`no ack for ${this.o.ackTimeoutMs} ms with ${window.bytesInFlight} bytes in flight`);
      await this.wake.wait(Math.min(this.o.ackTimeoutMs, 1000));
    }
  }

  /**
   * A frame of the handshake: the receiver's challenge (answered once it proved the secret) or
   * its welcome, whose persisted sequence number is returned. With a secret, a receiver that
   * welcomes without proving it is refused: records go only to a receiver that holds the secret.
   */
  private onHandshake(f: Frame, hello: { ownNonce: Buffer; challenged: boolean; write(f: Frame): void }): number | undefined {
    if (f.type === 'refuse') throw new LinkProtocolError(`receiver refused: ${f.reason}`);
    const secret = this.o.secret;
    if (f.type === 'challenge') {
      if (secret === undefined) throw new LinkProtocolError('the receiver requires a shared secret: set `secret` on this sender');
      if (!proofMatches(proof(secret, 'receiver', this.o.link, hello.ownNonce, f.nonce), f.proof))
        throw new LinkProtocolError('the receiver failed to prove the shared secret (a different secret, or not this link\'s receiver)');
      hello.challenged = true;
      hello.write({ type: 'auth', proof: proof(secret, 'sender', this.o.link, f.nonce, hello.ownNonce) });
      return undefined;
    }
    if (f.type !== 'welcome') throw new LinkProtocolError(`expected welcome, got ${f.type}`);
    if (secret !== undefined && !hello.challenged)
      throw new LinkProtocolError('the receiver did not ask for the shared secret: not sending to a receiver that cannot prove it (set `secret` on the receiver too)');
    return f.persisted;
  }

  private onFrame(f: Frame, window: SenderWindow, sentAt: Map<number, { at: number; topics: Map<string, { records: number }> }>, acked: () => void): void {
    if (f.type === 'refuse') throw new LinkProtocolError(`receiver refused: ${f.reason}`);
    if (f.type !== 'ack') throw new LinkProtocolError(`unexpected ${f.type} frame from the receiver`);
    // Any ack says the receiver is alive: a full receiver repeats its last one while it waits for room.
    acked();
    const before = window.acked;
    window.ack(f.persisted);
    this.stats.seqAcked = window.acked;
    if (window.acked > before) this.o.onAcked?.();
    for (const [last, { at, topics }] of sentAt) {
      if (last > f.persisted) break;
      this.stats.rttMs = Math.round(performance.now() - at);
      for (const [topic, t] of topics) this.topics.add(topic, 'acked', t.records);
      sentAt.delete(last);
    }
  }
}
