import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { resolve } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { SourceRead } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import { registryLocation, StreamRegistry } from '../../db/stream-registry.js';
import { gatewayConfig, type GatewayConfig } from './config.js';
import { serveGrpc } from '../../gate/grpc-endpoint.js';
import { loadGrpc } from '../../gate/protocol.js';
import { serveHttp } from '../../gate/http-endpoint.js';
import { Intake } from '../../gate/intake.js';
import { SequenceWindow } from '../../gate/sequence-window.js';
import { HopCounter } from '../../quality/hop-counter.js';
import { RECEIVED_HOP } from '../../quality/quality-rows.js';
import { QualityStore } from '../../quality/quality-store.js';

interface Serving {
  intake: Intake;
  registry: StreamRegistry;
  /** Counts what each commit stores (hop `gateway`), when quality is on. */
  quality?: { store: QualityStore; counter: HopCounter; countedUpTo: number; writing: Promise<unknown> };
  reload: NodeJS.Timeout;
  /** The registry checks, one after the other: awaited before the registry closes. */
  checks: { done: Promise<void> };
  grpc: grpc.Server;
  port: number;
  http?: HttpServer;
  httpPort?: number;
}

function readTlsFile(baseDir: string, setting: string, path: string): Buffer {
  const absolute = resolve(baseDir, path);
  try {
    return readFileSync(absolute);
  } catch (error) {
    throw new Error(`gateway tls.${setting}: cannot read ${absolute} (${(error as Error).message}): give a PEM file relative to the topology file`, { cause: error });
  }
}

/**
 * The `gateway` source: serves the stream transport (gRPC Transport service, and HTTP/JSON) for
 * the streams of its registry. Each batch waits in its stream's bounded queue, goes downstream
 * with its records' stream set to the stream's topic (a kafka sink with topic "{stream}" writes
 * each stream to its own topic), and is answered only when every sink acked it: the commit of
 * its position. See README "Stream transport".
 */
export const gatewaySourceKind = defineSource({
  name: 'gateway',
  description: 'Receives batches of registered streams over gRPC and HTTP/JSON; answers each only once it is stored downstream.',
  config: gatewayConfig,
  example: { port: 7400, httpPort: 7401, registry: { path: 'data/streams.db' } },
  // One process serves one port: replicas would compete for it.
  replicasFor: () => 1,
  create(config: GatewayConfig, ctx) {
    let serving: Serving | undefined;

    const reload = async (intake: Intake, registry: StreamRegistry, last: { revision: number }): Promise<void> => {
      try {
        const revision = await registry.revision();
        if (revision === last.revision) return;
        intake.setStreams(await registry.list());
        last.revision = revision;
      } catch (error) {
        ctx.log.warn({ err: error }, `gateway ${ctx.id}: cannot read the stream registry, keeping the streams read before`);
      }
    };

    return {
      async connect() {
        const tls = config.tls === undefined ? undefined : { cert: readTlsFile(ctx.baseDir, 'cert', config.tls.cert), key: readTlsFile(ctx.baseDir, 'key', config.tls.key) };
        const saved = ctx.checkpoint.get();
        const sequences = typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? saved.sequences : undefined;
        const intake = new Intake(config, SequenceWindow.fromJson(sequences, config.sequenceWindow, config.maxAgents));
        const location = config.registry.url === undefined ? { path: resolve(ctx.baseDir, config.registry.path) } : registryLocation(config.registry.url);
        const registry = await StreamRegistry.open(location);
        let quality: Serving['quality'];
        if (config.quality) {
          try {
            const store = await QualityStore.open(location);
            quality = { store, counter: new HopCounter(store), countedUpTo: 0, writing: Promise.resolve() };
          } catch (error) {
            await registry.close();
            throw error;
          }
        }
        const last = { revision: -1 };
        await reload(intake, registry, last);
        const checks = { done: Promise.resolve() };
        const timer = setInterval(() => {
          checks.done = checks.done.then(() => reload(intake, registry, last));
        }, config.registry.reloadMs);
        timer.unref();
        const { ServerCredentials } = loadGrpc();
        const credentials = tls === undefined ? ServerCredentials.createInsecure() : ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false);
        try {
          const g = await serveGrpc(intake, config, config.host, config.port, credentials);
          serving = { intake, registry, ...(quality === undefined ? {} : { quality }), reload: timer, checks, grpc: g.server, port: g.port };
          if (config.httpPort !== undefined) {
            const h = await serveHttp(intake, config, config.host, config.httpPort, tls);
            serving.http = h.server;
            serving.httpPort = h.port;
          }
        } catch (error) {
          clearInterval(timer);
          serving?.grpc.forceShutdown();
          serving = undefined;
          await registry.close();
          await quality?.store.close();
          throw new Error(`gateway ${ctx.id}: cannot listen on ${config.host} port ${config.port}${config.httpPort === undefined ? '' : ` or ${config.httpPort}`}: ${(error as Error).message}`, { cause: error });
        }
        ctx.log.info({ host: config.host, port: serving.port, httpPort: serving.httpPort }, `gateway ${ctx.id}: serving ${config.host}:${serving.port}`);
      },
      async read(): Promise<SourceRead<number>> {
        for (;;) {
          ctx.signal.throwIfAborted();
          if (serving === undefined) throw new Error(`gateway ${ctx.id} is not connected`);
          const next = await serving.intake.read(200);
          if (next !== undefined) return { records: next.records, position: next.position, label: `${next.stream} up to batch ${next.position}` };
        }
      },
      commit(position: unknown) {
        const s = serving;
        if (s === undefined) return;
        const answer = (): void => {
          s.intake.commit(position as number);
          ctx.checkpoint.set({ sequences: s.intake.window.toJson() });
        };
        const quality = s.quality;
        if (quality === undefined) return answer();
        // Counted before the agents are answered: an answered batch is never sent again. Commits
        // that arrive while counts are being written share the next write (one per round trip).
        for (const b of s.intake.storedBetween(quality.countedUpTo, position as number)) quality.counter.count({ stream: b.stream, hop: RECEIVED_HOP, records: b.records });
        quality.countedUpTo = Math.max(quality.countedUpTo, position as number);
        const stored = quality.counter.commit().then(() => {
          if (serving === s) answer();
        });
        quality.writing = stored.catch(() => undefined);
        return stored;
      },
      async close() {
        const s = serving;
        serving = undefined;
        if (s === undefined) return;
        s.intake.close(`gateway ${ctx.id} is stopping: send the batch again`);
        clearInterval(s.reload);
        s.grpc.forceShutdown();
        if (s.http !== undefined) {
          const http = s.http;
          http.closeAllConnections();
          await new Promise<void>((done) => http.close(() => done()));
        }
        await s.checks.done;
        await s.registry.close();
        if (s.quality !== undefined) {
          await s.quality.writing;
          await s.quality.store.close();
        }
      },
      status() {
        if (serving === undefined) return { state: 'closed' };
        return { state: 'serving', port: serving.port, ...(serving.httpPort === undefined ? {} : { httpPort: serving.httpPort }), ...serving.intake.status() };
      },
    };
  },
});
