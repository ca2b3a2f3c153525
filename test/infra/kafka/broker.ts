/**
 * Test helper around test/infra/kafka/kafka.sh: gives a test suite a real
 * single-node Apache Kafka (KRaft) broker on 127.0.0.1.
 *
 *   const kafka = await ensureKafka();           // cluster "a" on 19092
 *   ... new Kafka({ brokers: kafka.brokers }) ...
 *   await kafka.stop();
 *
 * If MILLRACE_KAFKA_BROKERS is set (comma-separated host:port list), no broker
 * is started and those brokers are returned with a no-op stop().
 *
 * Several test files may call ensureKafka() for the same cluster at once: each
 * call takes a lease, and the broker is only stopped when the last lease is
 * released (see `kafka.sh start/stop --lease`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { missingPart } from '../../real-part.js';

export const KAFKA_SH: string = fileURLToPath(new URL('./kafka.sh', import.meta.url));

/**
 * Whether a test that kills its own broker cannot run: with MILLRACE_KAFKA_BROKERS set it skips
 * outside CI, and fails under CI (see {@link missingPart}).
 */
export function noOwnBroker(): boolean {
  return missingPart(externalBrokers() === undefined, 'a Kafka broker of its own to kill', 'unset MILLRACE_KAFKA_BROKERS');
}

/**
 * Brokers of cluster `name` from MILLRACE_KAFKA_BROKERS_<NAME> (upper case, `-` as `_`), checked
 * before MILLRACE_KAFKA_BROKERS: a test of two clusters can be pointed at two running brokers.
 */
export function namedBrokers(name: string): string[] | undefined {
  return externalBrokers(`MILLRACE_KAFKA_BROKERS_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`);
}

/** Broker list from `variable` (MILLRACE_KAFKA_BROKERS by default), or undefined when unset/empty. */
export function externalBrokers(variable = 'MILLRACE_KAFKA_BROKERS'): string[] | undefined {
  const raw = process.env[variable];
  if (raw === undefined) return undefined;
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return brokers.length > 0 ? brokers : undefined;
}

export interface KafkaHandle {
  brokers: string[];
  stop(): Promise<void>;
}

export interface EnsureKafkaOptions {
  /** Wipe the cluster's data dir if the broker is not already running. Default true. */
  fresh?: boolean;
  /** Seconds to wait for the broker to serve metadata. Default 120. */
  readyTimeoutSec?: number;
  /** Start a second broker (node 2) of this running cluster instead of a cluster of its own. */
  join?: string;
  /** The address clients are told to connect to, e.g. a proxy in front of the broker (default: the broker). */
  advertise?: string;
}

const FETCH_TIMEOUT_MS = 15 * 60_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 90_000;

interface ScriptResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs kafka.sh with output captured (nothing is inherited by the test
 * runner's terminal); on failure the captured output, which includes the tail
 * of the broker log, ends up in the thrown error. Set MILLRACE_KAFKA_VERBOSE=1
 * to also echo it to stderr.
 */
function runKafkaSh(args: readonly string[], timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    execFile(
      KAFKA_SH,
      args,
      { timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (process.env['MILLRACE_KAFKA_VERBOSE'] === '1') {
          process.stderr.write(stdout);
          process.stderr.write(stderr);
        }
        if (error) {
          const why = error.killed
            ? `timed out after ${timeoutMs}ms`
            : `exit code ${String(error.code)}`;
          reject(
            new Error(
              `kafka.sh ${args.join(' ')} failed (${why})\n${stderr.trim()}\n${stdout.trim()}`.trimEnd(),
              {
                cause: error,
              },
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

function brokersFor(port: number): string[] {
  return [`127.0.0.1:${port}`];
}

/** Linux's default ephemeral range: the kernel hands these out as local ports of outgoing connections. */
const EPHEMERAL_PORTS = { from: 32768, to: 60999 };

/**
 * A broker's port (and its controller's, port+1) must be outside the ephemeral range: a test run
 * opens hundreds of client connections, and one given the port as its local end keeps the broker
 * from binding it (the broker then shuts itself down at start or restart).
 */
function assertFixedPort(name: string, port: number): void {
  if (port + 1 >= EPHEMERAL_PORTS.from && port <= EPHEMERAL_PORTS.to) {
    throw new Error(
      `kafka cluster '${name}' asks for port ${port}, inside the ephemeral range ${EPHEMERAL_PORTS.from}-${EPHEMERAL_PORTS.to}: pick a port below ${EPHEMERAL_PORTS.from - 1} (see test/infra/kafka/README.md)`,
    );
  }
}

/**
 * Ensures the single-node KRaft cluster `name` is running on 127.0.0.1:`port`
 * (controller on port+1): fetches the jars if needed, starts the broker unless
 * it already runs, and waits until it serves metadata with a live broker.
 */
export async function ensureKafka(
  name = 'a',
  port = 19092,
  options: EnsureKafkaOptions = {},
): Promise<KafkaHandle> {
  const external = namedBrokers(name) ?? externalBrokers();
  if (external !== undefined) {
    return { brokers: external, stop: async () => {} };
  }
  assertFixedPort(name, port);

  const lease = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const startArgs = ['start', name, String(port), '--lease', lease];
  if (options.fresh ?? true) startArgs.push('--fresh');
  if (options.join !== undefined) startArgs.push('--join', options.join);
  if (options.advertise !== undefined) startArgs.push('--advertise', options.advertise);

  await runKafkaSh(['fetch'], FETCH_TIMEOUT_MS);
  await runKafkaSh(startArgs, START_TIMEOUT_MS);
  try {
    await waitForBroker(port, options.readyTimeoutSec ?? 120);
  } catch (err) {
    await runKafkaSh(['stop', name, '--lease', lease], STOP_TIMEOUT_MS).catch(() => undefined);
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    brokers: brokersFor(port),
    stop: () => {
      stopped ??= runKafkaSh(['stop', name, '--lease', lease], STOP_TIMEOUT_MS).then(
        () => undefined,
      );
      return stopped;
    },
  };
}

/** Waits until the broker on `port` serves metadata with a live broker. */
export async function waitForBroker(port: number, timeoutSec = 120): Promise<void> {
  await runKafkaSh(['wait', String(port), String(timeoutSec)], (timeoutSec + 30) * 1000);
}

/** Crash test helper: SIGKILLs the broker of cluster `name` (its data is kept). */
export async function killBroker(name: string): Promise<void> {
  if (externalBrokers() !== undefined) {
    throw new Error(
      'killBroker() needs a broker started by ensureKafka(); MILLRACE_KAFKA_BROKERS is set',
    );
  }
  await runKafkaSh(['kill9', name], 30_000);
}

/**
 * Crash test helper: starts cluster `name` again on `port` on top of its
 * existing data (no --fresh) and waits until it is ready. No-op start if it
 * is still running. Returns the bootstrap broker list.
 */
export async function restartBroker(
  name: string,
  port: number,
  readyTimeoutSec = 120,
): Promise<string[]> {
  if (externalBrokers() !== undefined) {
    throw new Error(
      'restartBroker() needs a broker started by ensureKafka(); MILLRACE_KAFKA_BROKERS is set',
    );
  }
  await runKafkaSh(['start', name, String(port)], START_TIMEOUT_MS);
  await waitForBroker(port, readyTimeoutSec);
  return brokersFor(port);
}
