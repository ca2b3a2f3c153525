import { z } from 'zod';
import { NotConnected } from '../core/errors.js';
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
    const timeout = AbortSignal.timeout(this.o.timeoutMs + bytes.byteLength / 1000);
    const what = `CREATE ${path} on datanode ${new URL(location).host}`;
    let res: Response;
    try {
      res = await fetch(location, { method: 'PUT', body: bytes, signal: AbortSignal.any([signal, timeout]) });
    } catch (error) {
      throw this.transportError(error, what, signal, timeout);
    }
    if (res.status !== 201) throw await this.refusal(res, what, '');
    await res.body?.cancel();
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
