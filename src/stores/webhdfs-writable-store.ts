import { request } from 'node:http';
import { z } from 'zod';
import { NotConnected, errorMessage } from '../core/errors.js';
import { FileGone } from './backend.js';
import { WebHdfsStore, type WebHdfsOptions } from './webhdfs-store.js';
import type { StoredFile, WritableStore } from './writable.js';

const booleanAnswer = z.object({ boolean: z.boolean() });
const status = z.object({ FileStatus: z.object({ length: z.number(), modificationTime: z.number() }) });

/**
 * An HDFS directory through WebHDFS as a {@link WritableStore}: CREATE (the NameNode redirects
 * to a DataNode, which takes the bytes; the file is closed, so complete, when it answers 201),
 * RENAME (atomic in the NameNode), DELETE, GETFILESTATUS and LISTSTATUS.
 *
 * @example
 * const store = new WebHdfsWritableStore({ url: 'http://127.0.0.1:19870', root: '/warehouse', timeoutMs: 10_000 });
 * await store.put('t/.x.inprogress', bytes, signal);
 */
export class WebHdfsWritableStore extends WebHdfsStore implements WritableStore {
  private readonly rootDir: string;

  constructor(o: WebHdfsOptions) {
    super(o, { paths: ['**'], ignore: [] });
    this.rootDir = o.root.replace(/\/+$/, '');
  }

  async put(path: string, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    const create = await this.request(path, 'CREATE', signal, { method: 'PUT', params: { overwrite: 'true' } });
    const location = create.headers.get('location');
    if (create.status !== 307 || location === null) throw await this.refusal(create, `CREATE ${path}`, '');
    await create.body?.cancel();
    const what = `${this.where}: CREATE ${path} on datanode ${new URL(location).host}`;
    const status = await upload(location, bytes, this.o.timeoutMs, signal).catch((error: unknown) => {
      throw signal.aborted ? error : new NotConnected(`${what}: ${errorMessage(error)}`, { cause: error });
    });
    if (status.code !== 201) throw new NotConnected(`${what}: HTTP ${status.code} ${status.body.slice(0, 300)}`);
  }

  async rename(from: string, to: string, signal: AbortSignal): Promise<void> {
    const res = await this.request(from, 'RENAME', signal, { method: 'PUT', params: { destination: `${this.rootDir}/${to}` } });
    const answer = booleanAnswer.safeParse(await this.json(res, `RENAME ${from}`));
    if (!answer.success || !answer.data.boolean) throw new NotConnected(`${this.where}: RENAME ${from} to ${to} was refused (source missing or target exists)`);
  }

  async remove(path: string, signal: AbortSignal): Promise<void> {
    const res = await this.request(path, 'DELETE', signal, { method: 'DELETE' });
    await this.json(res, `DELETE ${path}`);
  }

  async exists(path: string, signal: AbortSignal): Promise<boolean> {
    const res = await this.request(path, 'GETFILESTATUS', signal);
    if (res.status === 404) {
      await res.body?.cancel();
      return false;
    }
    await this.json(res, `GETFILESTATUS ${path}`);
    return true;
  }

  async readFile(path: string, signal: AbortSignal): Promise<Uint8Array> {
    const res = await this.request(path, 'GETFILESTATUS', signal);
    if (res.status === 404) throw new FileGone(path);
    const parsed = status.safeParse(await this.json(res, `GETFILESTATUS ${path}`));
    if (!parsed.success) throw new NotConnected(`${this.where}: unexpected GETFILESTATUS answer for ${path}`);
    return this.read({ path, size: parsed.data.FileStatus.length, mtime: parsed.data.FileStatus.modificationTime }, signal);
  }

  async listFiles(dir: string, signal: AbortSignal): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    const queue = [dir];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const c of await this.listDir(next, signal)) {
        const rel = next === '' ? c.pathSuffix : `${next}/${c.pathSuffix}`;
        if (c.type === 'DIRECTORY') queue.push(rel);
        else out.push({ path: rel, size: c.length });
      }
    }
    return out;
  }
}

/**
 * The DataNode leg of CREATE, with node:http: the DataNode answers with an unsolicited
 * `100 Continue` before `201 Created`, which Node's fetch rejects as a bad response.
 */
function upload(location: string, bytes: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(location, { method: 'PUT', signal, timeout: timeoutMs, headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(bytes);
  });
}
