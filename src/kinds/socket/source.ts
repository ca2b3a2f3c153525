import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { DeadRecord, SourceRead } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import { Wake } from '../../core/wake.js';
import type { LogRecord } from '../../streams/record.js';
import { socketSourceConfig, type SocketSourceConfig } from './config.js';
import { Connection } from '../../gate/socket-connection.js';
import { LineReader, MsgpackReader } from '../../gate/socket-frames.js';
import { listenUnix } from '../../gate/unix-listen.js';

/** A frame received and not read downstream yet. */
type Received = { conn: Connection; record: LogRecord } | { conn: Connection; dead: DeadRecord };

/**
 * The `socket` source: applications on the host connect to a unix socket and write records
 * tagged with their stream id, in the line or the length-prefixed msgpack form (README "Socket
 * source"). A batch's position is its number; with `ack`, each record is answered on its
 * connection once its batch is committed, that is delivered by every sink.
 */
export const socketSourceKind = defineSource({
  name: 'socket',
  example: { path: 'agent.sock', ack: true },
  description: 'Records applications write to a unix socket, tagged with their stream id (line or length-prefixed msgpack), acked per record on request.',
  config: socketSourceConfig,
  create(config: SocketSourceConfig, ctx) {
    const socketPath = path.resolve(ctx.baseDir, config.path);
    const received: Received[] = [];
    const arrived = new Wake();
    const connections = new Set<Connection>();
    let server: net.Server | undefined;
    let batches = 0;
    let paused = false;
    const stats = { connections: 0, records: 0, malformed: 0, brokenConnections: 0 };

    const flow = (): void => {
      const over = received.length >= config.maxBufferedRecords;
      if (over === paused) return;
      paused = over;
      for (const c of connections) {
        if (over) c.socket.pause();
        else c.socket.resume();
      }
    };

    const accept = (socket: net.Socket): void => {
      const conn = new Connection(socket, config.format === 'line' ? new LineReader(config.maxFrameBytes) : new MsgpackReader(config.maxFrameBytes), config.ack);
      connections.add(conn);
      stats.connections++;
      if (paused) socket.pause();
      socket.on('data', (chunk: Buffer) => {
        for (const frame of conn.reader.push(chunk)) {
          if ('record' in frame) {
            received.push({ conn, record: frame.record });
            stats.records++;
          } else if ('malformed' in frame) {
            received.push({ conn, dead: { record: { value: frame.raw, ts: Date.now() }, reason: `socket ${config.path}: ${frame.malformed}` } });
            stats.malformed++;
          } else {
            stats.brokenConnections++;
            ctx.log.warn({ path: socketPath }, `socket ${config.path}: ${frame.fatal}`);
            socket.end(() => socket.destroy());
          }
        }
        arrived.notify();
        flow();
      });
      socket.on('error', (err) => ctx.log.debug({ err: err.message }, `socket ${config.path}: connection error`));
      socket.on('close', () => connections.delete(conn));
    };

    return {
      async connect() {
        mkdirSync(path.dirname(socketPath), { recursive: true });
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
          r.conn.owe(batch, 'record' in r);
        }
        return { records, position: batch, label: `${config.path} batch ${batch}`, ...(dead.length > 0 ? { dead } : {}) };
      },
      commit(position: unknown) {
        for (const c of connections) c.settle(position as number);
      },
      async close() {
        const s = server;
        server = undefined;
        if (s === undefined) return;
        // Unanswered records stay unanswered: the clients see the connection end and send them again.
        for (const c of connections) c.socket.end(() => c.socket.destroy());
        await new Promise<void>((resolve) => s.close(() => resolve()));
        await unlink(socketPath).catch(() => undefined);
      },
      status() {
        return { ...stats, open: connections.size, buffered: received.length, paused };
      },
    };
  },
});
