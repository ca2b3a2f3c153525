import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { DeadRecord, SourceRead } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import { Wake } from '../../core/wake.js';
import { Connection, type Owed } from '../../gate/socket-connection.js';
import { datagramFrame, LineReader, MsgpackReader, type Frame } from '../../gate/socket-frames.js';
import { unixDgramSocket, type UnixDgramSocket } from '../../gate/unix-dgram.js';
import { bindUnixDgram, listenUnix } from '../../gate/unix-listen.js';
import type { LogRecord } from '../../streams/record.js';
import { socketSourceConfig, type SocketSourceConfig } from './config.js';

/** A frame received and not read downstream yet. */
type Received = { owed: Owed; record: LogRecord } | { owed: Owed; dead: DeadRecord };

/**
 * The `socket` source: applications on the host write records tagged with their stream id to a
 * unix socket (stream connections or datagrams), in the line or the length-prefixed msgpack form
 * (README "Socket source"). A batch's position is its number; with `ack`, each record is answered
 * to its sender once its batch is committed, that is delivered by every sink.
 */
export const socketSourceKind = defineSource({
  name: 'socket',
  example: { path: 'agent.sock', ack: true },
  description: 'Records applications write to a unix socket (stream or datagram), tagged with their stream id (line or length-prefixed msgpack), acked per record on request.',
  config: socketSourceConfig,
  create(config: SocketSourceConfig, ctx) {
    const socketPath = path.resolve(ctx.baseDir, config.path);
    const received: Received[] = [];
    const arrived = new Wake();
    const connections = new Set<Connection>();
    const senders = new Map<string, Connection>();
    const unanswered = new Connection(() => undefined, false);
    let server: net.Server | undefined;
    let dgram: UnixDgramSocket | undefined;
    let batches = 0;
    let paused = false;
    const streams = new Set<net.Socket>();
    const stats = { connections: 0, records: 0, malformed: 0, brokenConnections: 0, refused: 0 };

    const flow = (): void => {
      const over = received.length >= config.maxBufferedRecords;
      if (over === paused) return;
      paused = over;
      for (const s of streams) {
        if (over) s.pause();
        else s.resume();
      }
    };

    /** Queues a frame from `conn`; false for a frame that says the stream is broken. */
    const take = (conn: Connection, frame: Frame): boolean => {
      if ('record' in frame) {
        received.push({ owed: conn.owe(true), record: frame.record });
        stats.records++;
      } else if ('malformed' in frame) {
        received.push({ owed: conn.owe(false), dead: { record: { value: frame.raw, ts: Date.now() }, reason: `socket ${config.path}: ${frame.malformed}` } });
        stats.malformed++;
      } else {
        stats.brokenConnections++;
        ctx.log.warn({ path: socketPath }, `socket ${config.path}: ${frame.fatal}`);
        return false;
      }
      return true;
    };

    const accept = (socket: net.Socket): void => {
      const conn = new Connection((bytes) => socket.writable && socket.write(bytes), config.ack);
      const reader = config.format === 'line' ? new LineReader(config.maxFrameBytes) : new MsgpackReader(config.maxFrameBytes);
      connections.add(conn);
      streams.add(socket);
      stats.connections++;
      if (paused) socket.pause();
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) if (!take(conn, frame)) socket.end(() => socket.destroy());
        arrived.notify();
        flow();
      });
      socket.on('error', (err) => ctx.log.debug({ err: err.message }, `socket ${config.path}: connection error`));
      socket.on('close', () => {
        connections.delete(conn);
        streams.delete(socket);
      });
    };

    const senderOf = (from: string | null, d: UnixDgramSocket): Connection => {
      if (from === null || !config.ack) return unanswered;
      let conn = senders.get(from);
      if (conn === undefined) {
        conn = new Connection((bytes) => d.send(bytes, 0, bytes.length, from, () => undefined), true);
        senders.set(from, conn);
        connections.add(conn);
        stats.connections++;
      }
      return conn;
    };

    const datagram = (d: UnixDgramSocket, buf: Buffer, from: string | null): void => {
      const conn = senderOf(from, d);
      if (received.length >= config.maxBufferedRecords) {
        // Datagrams cannot be held back: refuse (counted, NAK in order) rather than grow without bound.
        stats.refused++;
        conn.owe(false).batch = batches;
        return;
      }
      take(conn, datagramFrame(buf, config.format, config.maxFrameBytes));
      arrived.notify();
    };

    return {
      async connect() {
        mkdirSync(path.dirname(socketPath), { recursive: true });
        if (config.type === 'datagram') {
          const d = unixDgramSocket();
          d.on('message', (buf, sender) => datagram(d, buf, sender.path));
          d.on('error', (err) => ctx.log.warn({ err: err.message }, `socket ${config.path}: ${err.message}`));
          await bindUnixDgram(d, socketPath, parseInt(config.mode, 8));
          dgram = d;
          return;
        }
        const s = net.createServer(accept);
        await listenUnix(s, socketPath, parseInt(config.mode, 8));
        server = s;
      },
      async read(): Promise<SourceRead<number>> {
        while (received.length === 0) {
          ctx.signal.throwIfAborted();
          await arrived.wait(200);
        }
        const taken = received.splice(0, config.maxBatchRecords);
        flow();
        const batch = ++batches;
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        for (const r of taken) {
          if ('record' in r) records.push(r.record);
          else dead.push(r.dead);
          r.owed.batch = batch;
        }
        return { records, position: batch, label: `${config.path} batch ${batch}`, ...(dead.length > 0 ? { dead } : {}) };
      },
      commit(position: unknown) {
        for (const c of connections) c.settle(position as number);
      },
      async close() {
        const s = server;
        const d = dgram;
        server = undefined;
        dgram = undefined;
        if (s === undefined && d === undefined) return;
        // Unanswered records stay unanswered: the clients see the connection end and send them again.
        for (const socket of streams) socket.end(() => socket.destroy());
        if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
        d?.close();
        connections.clear();
        senders.clear();
        await unlink(socketPath).catch(() => undefined);
      },
      status() {
        return { ...stats, open: connections.size, buffered: received.length, paused };
      },
    };
  },
});
