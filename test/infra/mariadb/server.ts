/**
 * A private MariaDB server for tests, driven through `mariadb.sh` next to this file:
 * its own datadir under .infra/mariadb/<name>/, bound to 127.0.0.1:<port>, binlog on
 * (ROW format, FULL row image, server-id 1), database `millrace`, user
 * millrace@127.0.0.1 / millrace with all privileges incl. REPLICATION SLAVE/CLIENT.
 *
 * Set MILLRACE_MYSQL_URL (mysql://user:pass@host:port/db) to use an existing server.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from '../run-script.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'mariadb.sh');

export interface MariaDbHandle {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Stops the server if this call started it; a no-op for a reused or external server. */
  stop(): Promise<void>;
}

const run = (args: string[], timeoutMs: number): Promise<string> => runScript(SCRIPT, args, timeoutMs);

/** Parses mysql://user:pass@host:port/db (port defaults to 3306, db to `millrace`). */
export function parseMysqlUrl(raw: string): Omit<MariaDbHandle, 'stop'> {
  const u = new URL(raw);
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new Error(`MILLRACE_MYSQL_URL must start with mysql://, got ${raw}`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'millrace';
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
  };
}

/** apt-get installs mariadb-server/client when mariadbd is missing (no service started). */
export async function installMariaDb(): Promise<void> {
  await run(['install'], 900_000);
}

async function isRunning(name: string): Promise<boolean> {
  const out = await run(['status'], 30_000);
  return out.split('\n').some((line) => line.startsWith(`${name} running`));
}

/** Starts instance `name` (initialising its datadir on first use), waits, provisions. */
export async function startMariaDb(name: string, port: number, timeoutSec = 90): Promise<void> {
  await run(['start', name, String(port)], 300_000);
  await run(['wait', name, String(timeoutSec)], (timeoutSec + 30) * 1000);
}

/** Graceful shutdown (SIGTERM); the datadir and binlogs are kept. */
export async function stopMariaDb(name: string): Promise<void> {
  await run(['stop', name], 90_000);
}

/** SIGKILL (crash simulation); the datadir and binlogs are kept. */
export async function kill9MariaDb(name: string): Promise<void> {
  await run(['kill9', name], 30_000);
}

export async function ensureMariaDb(name = 'a', port = 13306): Promise<MariaDbHandle> {
  const external = process.env.MILLRACE_MYSQL_URL;
  if (external) {
    return { ...parseMysqlUrl(external), stop: async () => {} };
  }
  await installMariaDb();
  const wasRunning = await isRunning(name);
  await startMariaDb(name, port);
  return {
    host: '127.0.0.1',
    port,
    user: 'millrace',
    password: 'millrace',
    database: 'millrace',
    stop: async () => {
      if (!wasRunning) await stopMariaDb(name);
    },
  };
}
