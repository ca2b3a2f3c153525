/**
 * A real single-node HDFS (NameNode + DataNode, WebHDFS enabled) for tests, driven
 * through `hdfs.sh` next to this file. Jars come from Maven Central into .infra/hdfs/lib.
 *
 * Ports (all 127.0.0.1) derive from the NameNode HTTP port P: P WebHDFS, P+1 RPC,
 * P+2..P+4 DataNode data/http/ipc. Instance "a" uses 19870, "b" 29870 by convention.
 *
 * Set MILLRACE_HDFS_URL (e.g. http://127.0.0.1:9870) to use an existing cluster instead.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from '../run-script.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'hdfs.sh');

export interface HdfsHandle {
  /** NameNode HTTP base, e.g. http://127.0.0.1:19870 (WebHDFS lives under /webhdfs/v1). */
  url: string;
  /** Stops the instance if this call started it; a no-op for a reused or external cluster. */
  stop(): Promise<void>;
}

const run = (args: string[], timeoutMs: number): Promise<string> => runScript(SCRIPT, args, timeoutMs);

/** Runs `hdfs.sh fetch` (Maven copy of the Hadoop jars; quick when already present). */
export async function fetchHdfs(): Promise<void> {
  await run(['fetch'], 600_000);
}

async function isRunning(name: string): Promise<boolean> {
  const out = await run(['status'], 30_000);
  return out
    .split('\n')
    .some(
      (line) =>
        line.startsWith(`${name} `) && /namenode=pid:/.test(line) && /datanode=pid:/.test(line),
    );
}

/** Starts (formatting on first use) instance `name` and waits until it accepts writes. */
export async function startHdfs(name: string, port: number, timeoutSec = 150): Promise<string> {
  await run(['start', name, String(port)], 600_000);
  await run(['wait', String(port), String(timeoutSec)], (timeoutSec + 30) * 1000);
  return `http://127.0.0.1:${port}`;
}

/** Graceful stop (SIGTERM) of both daemons, or of one role. Data is kept. */
export async function stopHdfs(name: string, role?: 'namenode' | 'datanode'): Promise<void> {
  await run(role ? ['stop', name, role] : ['stop', name], 120_000);
}

/** SIGKILL of both daemons, or of one role (crash simulation). Data is kept. */
export async function kill9Hdfs(name: string, role?: 'namenode' | 'datanode'): Promise<void> {
  await run(role ? ['kill9', name, role] : ['kill9', name], 60_000);
}

export async function ensureHdfs(name = 'a', port = 19870): Promise<HdfsHandle> {
  const external = process.env.MILLRACE_HDFS_URL;
  if (external) {
    return { url: external.replace(/\/+$/, ''), stop: async () => {} };
  }
  const wasRunning = await isRunning(name);
  const url = await startHdfs(name, port);
  return {
    url,
    stop: async () => {
      if (!wasRunning) await stopHdfs(name);
    },
  };
}

// ---------------------------------------------------------------------------------
// Minimal WebHDFS client (Node's fetch; node:http for the DataNode upload leg).

function httpPut(target: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.byteLength },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`PUT ${target} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface WebHdfsOptions {
  /** Sent as user.name (simple auth); permissions are disabled on the test cluster. */
  user?: string;
}

function webhdfsUrl(
  url: string,
  hdfsPath: string,
  op: string,
  params: Record<string, string>,
  opts: WebHdfsOptions,
): string {
  let base = url.replace(/\/+$/, '');
  if (!base.endsWith('/webhdfs/v1')) base += '/webhdfs/v1';
  const p = hdfsPath.startsWith('/') ? hdfsPath : `/${hdfsPath}`;
  const encodedPath = p
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  const q = new URLSearchParams({ op, ...params });
  if (opts.user) q.set('user.name', opts.user);
  return `${base}${encodedPath}?${q.toString()}`;
}

async function failure(what: string, res: Response): Promise<Error> {
  const body = await res.text().catch(() => '');
  return new Error(`WebHDFS ${what}: HTTP ${res.status} ${body.slice(0, 500)}`);
}

function redirectTarget(res: Response, what: string): string {
  const loc = res.headers.get('location');
  if (res.status !== 307 || !loc) {
    throw new Error(
      `WebHDFS ${what}: expected a 307 redirect to a datanode, got HTTP ${res.status}`,
    );
  }
  return loc;
}

/** MKDIRS (like mkdir -p). */
export async function mkdirs(
  url: string,
  hdfsPath: string,
  opts: WebHdfsOptions = {},
): Promise<void> {
  const res = await fetch(webhdfsUrl(url, hdfsPath, 'MKDIRS', {}, opts), { method: 'PUT' });
  if (!res.ok) throw await failure(`MKDIRS ${hdfsPath}`, res);
  const json: unknown = await res.json();
  if (
    typeof json !== 'object' ||
    json === null ||
    (json as { boolean?: unknown }).boolean !== true
  ) {
    throw new Error(`WebHDFS MKDIRS ${hdfsPath}: unexpected answer ${JSON.stringify(json)}`);
  }
}

/**
 * Uploads bytes: CREATE on the NameNode answers 307 with a DataNode URL, then the bytes
 * are PUT there (201 Created). Overwrites by default.
 */
export async function putFile(
  url: string,
  hdfsPath: string,
  bytes: Uint8Array | string,
  opts: WebHdfsOptions & { overwrite?: boolean } = {},
): Promise<void> {
  const overwrite = String(opts.overwrite ?? true);
  const first = await fetch(webhdfsUrl(url, hdfsPath, 'CREATE', { overwrite }, opts), {
    method: 'PUT',
    redirect: 'manual',
  });
  if (first.status !== 307) throw await failure(`CREATE ${hdfsPath}`, first);
  await first.body?.cancel();
  const target = redirectTarget(first, `CREATE ${hdfsPath}`);
  const data =
    typeof bytes === 'string'
      ? Buffer.from(bytes, 'utf8')
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The DataNode's Netty WebHDFS handler always answers CREATE with an unsolicited
  // "HTTP/1.1 100 Continue" before the real "201 Created". Node's fetch (undici) rejects
  // that as "bad response" and cannot send "Expect: 100-continue" either, so this leg
  // uses node:http, which skips informational responses.
  const second = await httpPut(target, data);
  if (second.status !== 201) {
    throw new Error(
      `WebHDFS CREATE (datanode) ${hdfsPath}: HTTP ${second.status} ${second.body.slice(0, 500)}`,
    );
  }
}

/** The DataNode URL that OPEN on the NameNode redirects to (without following it). */
export async function openLocation(
  url: string,
  hdfsPath: string,
  opts: WebHdfsOptions = {},
): Promise<string> {
  const res = await fetch(webhdfsUrl(url, hdfsPath, 'OPEN', {}, opts), { redirect: 'manual' });
  if (res.status !== 307) throw await failure(`OPEN ${hdfsPath}`, res);
  await res.body?.cancel();
  return redirectTarget(res, `OPEN ${hdfsPath}`);
}

/** Reads a whole file (OPEN, following the DataNode redirect). */
export async function readFile(
  url: string,
  hdfsPath: string,
  opts: WebHdfsOptions = {},
): Promise<Uint8Array> {
  const res = await fetch(await openLocation(url, hdfsPath, opts));
  if (!res.ok) throw await failure(`OPEN (datanode) ${hdfsPath}`, res);
  return new Uint8Array(await res.arrayBuffer());
}

export interface HdfsFileStatus {
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  replication: number;
  pathSuffix: string;
}

/** GETFILESTATUS, or null when the path does not exist. */
export async function fileStatus(
  url: string,
  hdfsPath: string,
  opts: WebHdfsOptions = {},
): Promise<HdfsFileStatus | null> {
  const res = await fetch(webhdfsUrl(url, hdfsPath, 'GETFILESTATUS', {}, opts));
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw await failure(`GETFILESTATUS ${hdfsPath}`, res);
  const json = (await res.json()) as { FileStatus: HdfsFileStatus };
  return json.FileStatus;
}

/** DELETE (recursive by default); resolves to whether something was deleted. */
export async function deletePath(
  url: string,
  hdfsPath: string,
  opts: WebHdfsOptions & { recursive?: boolean } = {},
): Promise<boolean> {
  const res = await fetch(
    webhdfsUrl(url, hdfsPath, 'DELETE', { recursive: String(opts.recursive ?? true) }, opts),
    { method: 'DELETE' },
  );
  if (!res.ok) throw await failure(`DELETE ${hdfsPath}`, res);
  const json = (await res.json()) as { boolean: boolean };
  return json.boolean;
}
