/**
 * A real single OpenSearch 2.19.6 node for tests, driven through `opensearch.sh` next to this
 * file: jars from Maven Central assembled into .infra/opensearch/home, data in
 * .infra/opensearch/<name>/, HTTP on 127.0.0.1:<port>, transport on <port>+1, no security plugin.
 * Instance "a" on 9200 is the one the suite shares (test/global-setup.ts).
 *
 * Set MILLRACE_OPENSEARCH_URL (e.g. http://127.0.0.1:9200) to use an existing node instead.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from '../run-script.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'opensearch.sh');

export interface OpenSearchHandle {
  /** HTTP base, e.g. http://127.0.0.1:9200. */
  url: string;
  /** Stops the node if this call started it; a no-op for a reused or external node. */
  stop(): Promise<void>;
}

const run = (args: string[], timeoutMs: number): Promise<string> => runScript(SCRIPT, args, timeoutMs);

async function isRunning(name: string): Promise<boolean> {
  const out = await run(['status'], 30_000);
  return out.split('\n').some((line) => line.startsWith(`${name} running`));
}

/** Starts node `name` (assembling the home from Maven Central on first use) and waits for it. */
export async function startOpenSearch(name: string, port: number, timeoutSec = 150): Promise<string> {
  await run(['start', name, String(port)], 600_000);
  await run(['wait', name, String(timeoutSec)], (timeoutSec + 30) * 1000);
  return `http://127.0.0.1:${port}`;
}

/** Graceful stop (SIGTERM); the data is kept. */
export async function stopOpenSearch(name: string): Promise<void> {
  await run(['stop', name], 60_000);
}

/** SIGKILL (crash simulation); the data is kept. */
export async function kill9OpenSearch(name: string): Promise<void> {
  await run(['kill9', name], 60_000);
}

/** Stops the node and deletes its data. */
export async function cleanOpenSearch(name: string): Promise<void> {
  await run(['clean', name], 60_000);
}

export async function ensureOpenSearch(name = 'a', port = 9200): Promise<OpenSearchHandle> {
  const external = process.env.MILLRACE_OPENSEARCH_URL;
  if (external) return { url: external.replace(/\/+$/, ''), stop: async () => {} };
  const wasRunning = await isRunning(name);
  const url = await startOpenSearch(name, port);
  return {
    url,
    stop: async () => {
      if (!wasRunning) await stopOpenSearch(name);
    },
  };
}

/** A JSON request to the node; throws with the answer on a status other than 2xx. */
export async function openSearchJson<T>(url: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`OpenSearch ${method} ${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Documents in `index` after a refresh (what a search now sees). */
export async function countDocuments(url: string, index: string): Promise<number> {
  await openSearchJson(url, 'POST', `/${encodeURIComponent(index)}/_refresh`);
  const { count } = await openSearchJson<{ count: number }>(url, 'GET', `/${encodeURIComponent(index)}/_count`);
  return count;
}
