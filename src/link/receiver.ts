import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { DiskQueue } from './disk-queue.js';
import { encodeFrame, FrameReader, type Frame } from './frame.js';
import { nonce, proof, proofMatches } from './handshake-proof.js';
import { LinkProtocolError } from './protocol-error.js';
import { ReceiverSequence } from './sequence.js';
import { Wake } from '../core/wake.js';
import { decompressEncoded, type EncodedRecord } from './wire-record.js';

export interface LinkReceiverOptions {
  queue: DiskQueue;
  link: string;
  maxFrameBytes: number;
  /** The link's shared secret: a sender must prove it before it is welcomed, and this side proves it too. */
  secret?: string | undefined;
  /** Serve over TLS with these options (certificate, key, and a CA to ask senders for theirs). */
  tls?: tls.TlsOptions | undefined;
  log: Logger;
  /**
   * Bytes the queue may take while downstream has not taken all it holds: at this size frames
   * wait (see {@link LinkReceiver.roomMade}); unset: no bound.
   */
  maxQueueBytes?: number | undefined;
  /** Called after `records` became durable in the queue, the last at sequence number `last`. */
  onPersisted(records: readonly EncodedRecord[], last: number): void;
}

/** Counters of the receiving side, for `status()`. */
export interface ReceiverStats {
  connections: number;
  refused: number;
  /** Connections refused for failing the shared-secret handshake. */
  authFailures: number;
  duplicateFrames: number;
  framesReceived: number;
  bytesReceived: number;
  bytesUncompressed: number;
  /** Why the queue refuses appends (e.g. ENOSPC: disk full), while it does; nothing is acked meanwhile. */
  queueError: string | null;
  /** Since when (ms since the epoch) frames wait for downstream to make room below maxQueueBytes; null when they do not. */
  fullSince: number | null;
}

/**
 * The receiving end of a link: accepts one sender connection at a time (a new one replaces the
 * old), answers the handshake with the highest persisted sequence number, admits data frames in
 * sequence, appends them durably to its queue and acks cumulatively. A peer that breaks the
 * protocol is refused with the reason, logged, counted and closed; nothing of its bad frame is
 * written. See docs/decisions/mirror-link.md.
 */
export class LinkReceiver {
  readonly stats: ReceiverStats = { connections: 0, refused: 0, authFailures: 0, duplicateFrames: 0, framesReceived: 0, bytesReceived: 0, bytesUncompressed: 0, queueError: null, fullSince: null };
  private server: net.Server | tls.Server | undefined;
  private current: net.Socket | undefined;
  private sockets = new Set<net.Socket>();
  private seq: ReceiverSequence;
  /** Appends in arrival order; a handshake waits for it so its answer covers all of them. */
  private chain: Promise<void> = Promise.resolve();
  private readonly room = new Wake();

  constructor(private readonly o: LinkReceiverOptions) {
    this.seq = new ReceiverSequence(o.queue.head);
  }

  get persisted(): number {
    return this.seq.persisted;
  }

  /** Downstream took records (and whole segments may have been trimmed): a full queue may have room again. */
  roomMade(): void {
    this.room.notify();
  }

  /** Starts listening (port 0: any free port); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    const server = this.o.tls === undefined ? net.createServer((socket) => this.accept(socket)) : tls.createServer(this.o.tls, (socket) => this.accept(socket));
    // A TLS handshake that fails (no or a wrong client certificate, not TLS at all) is logged and counted.
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      this.stats.refused++;
      this.o.log.warn({ peer: socket.remoteAddress, err: err.message }, `link ${this.o.link}: TLS handshake from ${socket.remoteAddress ?? '?'} failed: ${err.message}`);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
    await this.chain;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const reader = new FrameReader(this.o.maxFrameBytes);
    /** hello: nothing yet; auth: challenged, waiting for the sender's proof; ready: welcomed. */
    let stage: { at: 'hello' } | { at: 'auth'; senderNonce: Buffer; ownNonce: Buffer } | { at: 'ready' } = { at: 'hello' };
    let closed = false;
    const refuse = (reason: string): void => {
      if (closed) return;
      closed = true;
      this.stats.refused++;
      this.o.log.warn({ peer, reason }, `link ${this.o.link}: closing connection from ${peer}: ${reason}`);
      socket.end(encodeFrame({ type: 'refuse', reason }));
      socket.destroySoon();
    };
    socket.on('error', (err) => this.o.log.info({ peer, err: err.message }, `link ${this.o.link}: connection from ${peer} failed`));
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (this.current === socket) this.current = undefined;
      if (!closed && stage.at === 'auth') {
        this.stats.authFailures++;
        this.o.log.warn({ peer }, `link ${this.o.link}: sender ${peer} left during the shared-secret handshake (does it have this link's secret?)`);
      }
      if (!closed && reader.pending > 0) {
        this.o.log.warn({ peer, bytes: reader.pending }, `link ${this.o.link}: connection from ${peer} closed mid-frame; ${reader.pending} bytes of a truncated frame discarded`);
      }
      closed = true;
    });
    socket.on('data', (chunk: Buffer) => {
      this.stats.bytesReceived += chunk.length;
      try {
        for (const frame of reader.push(chunk)) {
          if (closed) return;
          if (stage.at === 'ready') this.frame(socket, frame);
          else if (stage.at === 'hello') stage = this.hello(socket, frame);
          else {
            this.auth(frame, stage.senderNonce, stage.ownNonce);
            this.welcome(socket, peer);
            stage = { at: 'ready' };
          }
        }
      } catch (err) {
        if (err instanceof LinkProtocolError) refuse(err.message);
        else throw err;
      }
    });
  }

  /** Checks the hello; with a secret, challenges the sender (and proves the secret itself). */
  private hello(socket: net.Socket, frame: Frame): { at: 'auth'; senderNonce: Buffer; ownNonce: Buffer } | { at: 'ready' } {
    if (frame.type !== 'hello') throw new LinkProtocolError(`expected hello first, got ${frame.type}`);
    if (frame.link !== this.o.link) throw new LinkProtocolError(`hello for link ${JSON.stringify(frame.link)}, this receiver serves ${JSON.stringify(this.o.link)}`);
    if (this.o.secret === undefined) {
      this.welcome(socket, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
      return { at: 'ready' };
    }
    const ownNonce = nonce();
    socket.write(encodeFrame({ type: 'challenge', nonce: ownNonce, proof: proof(this.o.secret, 'receiver', this.o.link, frame.nonce, ownNonce) }));
    return { at: 'auth', senderNonce: Buffer.from(frame.nonce), ownNonce };
  }

  private auth(frame: Frame, senderNonce: Buffer, ownNonce: Buffer): void {
    if (frame.type !== 'auth') throw new LinkProtocolError(`expected auth after the challenge, got ${frame.type}`);
    if (!proofMatches(proof(this.o.secret as string, 'sender', this.o.link, ownNonce, senderNonce), frame.proof)) {
      this.stats.authFailures++;
      throw new LinkProtocolError('the sender failed to prove the shared secret');
    }
  }

  /** Makes `socket` the link's connection and answers with what is persisted. */
  private welcome(socket: net.Socket, peer: string): void {
    if (this.current !== undefined && this.current !== socket) {
      this.o.log.info({ peer }, `link ${this.o.link}: a new connection from ${peer} replaces the previous one`);
      this.current.destroy();
    }
    this.current = socket;
    this.stats.connections++;
    // Answer once every admitted frame is durable: the answer then covers all of them.
    this.chain = this.chain.then(() => {
      this.seq = new ReceiverSequence(this.o.queue.head);
      if (this.current !== socket) return;
      this.o.log.info({ peer, persisted: this.seq.persisted }, `link ${this.o.link}: sender ${peer} connected; persisted up to ${this.seq.persisted}`);
      socket.write(encodeFrame({ type: 'welcome', persisted: this.seq.persisted }));
    });
  }

  private frame(socket: net.Socket, frame: Frame): void {
    if (frame.type !== 'data') throw new LinkProtocolError(`unexpected ${frame.type} frame from a sender`);
    this.stats.framesReceived++;
    // Queued as they came: views of the frame's records, checked but not decoded.
    const records = decompressEncoded(frame, frame.count);
    this.stats.bytesUncompressed += frame.rawLength;
    // Admission is checked against the sequence the handshake set up, once it has.
    this.chain = this.chain.then(async () => {
      if (this.current !== socket) return;
      await this.waitForRoom(socket);
      if (this.current !== socket) return;
      const seq = this.seq;
      let admission;
      try {
        admission = seq.admit(frame.first, frame.count);
      } catch (err) {
        socket.end(encodeFrame({ type: 'refuse', reason: (err as Error).message }));
        this.stats.refused++;
        this.o.log.warn({ reason: (err as Error).message }, `link ${this.o.link}: closing connection: ${(err as Error).message}`);
        socket.destroySoon();
        this.current = undefined;
        return;
      }
      if (admission.action === 'duplicate') {
        this.stats.duplicateFrames++;
        return;
      }
      try {
        const admitted = records.slice(admission.skip, admission.skip + admission.take);
        const last = await this.o.queue.appendEncoded(admitted, frame.first + admission.skip);
        const ack = seq.durable(last);
        this.stats.queueError = null;
        this.o.onPersisted(admitted, last);
        if (this.current === socket) socket.write(encodeFrame({ type: 'ack', persisted: ack }));
      } catch (err) {
        // The queue could not take it (disk full): stop acking; the sender resends after reconnecting.
        this.stats.queueError = (err as Error).message;
        this.o.log.error({ err: this.stats.queueError }, `link ${this.o.link}: appending to the receiver's queue failed (${this.stats.queueError}); nothing of this frame is acked, closing the connection so the sender resends it; free space for the queue directory to resume`);
        socket.destroy();
        this.current = undefined;
      }
    });
  }

  /**
   * Waits while the queue holds maxQueueBytes or more and downstream has not taken all of it (a
   * queue of delivered records only is trimmed as it rolls, so it never blocks). Meanwhile this
   * connection is not read, and an unchanged ack every second tells the sender this side is
   * alive: its window stays full, its own queue takes the records, and at its own cap its source
   * is held back. Nothing is refused or dropped.
   */
  private async waitForRoom(socket: net.Socket): Promise<void> {
    const { queue, maxQueueBytes } = this.o;
    const full = (): boolean => maxQueueBytes !== undefined && queue.sizeBytes >= maxQueueBytes && queue.head > queue.delivered && this.current === socket;
    if (!full()) return;
    const since = Date.now();
    this.stats.fullSince = since;
    this.o.log.warn({ bytes: queue.sizeBytes, max: maxQueueBytes }, `link ${this.o.link}: receiver queue full (${queue.sizeBytes} bytes, maxQueueBytes ${maxQueueBytes as number}): holding the sender until downstream takes records`);
    socket.pause();
    try {
      while (full()) {
        socket.write(encodeFrame({ type: 'ack', persisted: this.seq.persisted }));
        await this.room.wait(1000);
      }
    } finally {
      socket.resume();
      this.stats.fullSince = null;
    }
    this.o.log.info({ waitedMs: Date.now() - since }, `link ${this.o.link}: receiver queue has room again after ${Date.now() - since} ms`);
  }
}
