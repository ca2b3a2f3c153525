/**
 * A real standalone Apache ZooKeeper 3.9.5 for tests, driven through `zookeeper.sh` next to this
 * file: jars from Maven Central, state under .infra/zookeeper/<name>/, bound to 127.0.0.1:<port>,
 * tickTime 500 ms (sessions from 1 s to 30 s, so an expired session shows within seconds).
 *
 * Every `ensureZooKeeper` call takes a lease, so test files running in parallel share one server;
 * it stops when the last lease is released. Set MILLRACE_ZOOKEEPER=host:port to use a running
 * server instead (then nothing is started or stopped).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from '../run-script.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'zookeeper.sh');

export interface ZooKeeperHandle {
  /** Connection string, host:port. */
  connect: string;
  /** Releases this lease; the server stops when no lease is left (a no-op for an external one). */
  stop(): Promise<void>;
}

const run = (args: string[], timeoutMs: number): Promise<string> => runScript(SCRIPT, args, timeoutMs);

/** Fetches the jars if needed, starts instance `name` unless it runs, and waits until it serves. */
export async function ensureZooKeeper(name = 'a', port = 12181): Promise<ZooKeeperHandle> {
  const external = process.env.MILLRACE_ZOOKEEPER?.trim();
  if (external) return { connect: external, stop: async () => {} };
  const lease = `${process.pid}-${randomBytes(4).toString('hex')}`;
  await run(['fetch'], 15 * 60_000);
  await run(['start', name, String(port), '--fresh', '--lease', lease], 60_000);
  try {
    await run(['wait', String(port), '60'], 90_000);
  } catch (err) {
    await run(['stop', name, '--lease', lease], 60_000).catch(() => undefined);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    connect: `127.0.0.1:${port}`,
    stop: () => (stopped ??= run(['stop', name, '--lease', lease], 60_000).then(() => undefined)),
  };
}

/** A ZooKeeper of one test file's own, to stop and start (outage tests): never an external one. */
export interface OwnZooKeeper {
  connect: string;
  /** kill -9 (a crash; its data is kept). */
  kill9(): Promise<void>;
  /** Starts it again on its port with the data it had, and waits until it serves. */
  restart(): Promise<void>;
  /** Stops it and deletes its state. */
  clean(): Promise<void>;
}

export async function ownZooKeeper(name: string, port: number): Promise<OwnZooKeeper> {
  await run(['fetch'], 15 * 60_000);
  const start = async (fresh: boolean): Promise<void> => {
    await run(['start', name, String(port), ...(fresh ? ['--fresh'] : [])], 60_000);
    await run(['wait', String(port), '60'], 90_000);
  };
  await start(true);
  return {
    connect: `127.0.0.1:${port}`,
    kill9: () => run(['kill9', name], 30_000).then(() => undefined),
    restart: () => start(false),
    clean: () => run(['clean', name], 60_000).then(() => undefined),
  };
}
