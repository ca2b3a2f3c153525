import { z } from 'zod';
import { NotConnected, errorMessage } from '../core/errors.js';
import {
  FileChanged,
  FileGone,
  FileRejected,
  pathMatcher,
  walkBases,
  type FileEntry,
  type FileStore,
  type PathFilter,
} from './backend.js';

/** Where a {@link WebHdfsStore} finds its cluster, and how long it waits for it. */
export interface WebHdfsOptions {
  /** NameNode HTTP base, e.g. `http://127.0.0.1:19870`. */
  url: string;
  user?: string;
  /** HDFS directory the listing paths are relative to. */
  root: string;
  timeoutMs: number;
}

const fileStatus = z.object({
  pathSuffix: z.string(),
  type: z.string(),
  length: z.number(),
  modificationTime: z.number(),
});
const listing = z.object({ FileStatuses: z.object({ FileStatus: z.array(fileStatus) }) });
const single = z.object({ FileStatus: fileStatus });
const remote = z.object({
  RemoteException: z.object({ exception: z.string(), message: z.string().optional() }),
});

/**
 * Answers about a file that retrying cannot change. Anything else (standby, safe mode, startup
 * mode, "No active nodes contain this block" while DataNodes register) counts as the cluster
 * not being available: retried, never recorded as a rejection.
 */
const PERMANENT = new Set([
  'AccessControlException',
  'InvalidPathException',
  'IllegalArgumentException',
  'UnsupportedOperationException',
]);
/** Directories listed at once during a walk. */
const WALK_CONCURRENCY = 4;

/**
 * An HDFS cluster through WebHDFS, with Node's fetch: LISTSTATUS walks the tree, GETFILESTATUS
 * probes the root, OPEN is answered by the NameNode with a 307 redirect that this store follows
 * itself to the DataNode holding the blocks. Every request has its own timeout (a read: until the
 * answer starts and between body chunks), so an unreachable cluster fails fast and alone.
 * Refused connections, timeouts, 5xx and standby/safe-mode answers become `NotConnected`.
 *
 * @example
 * const store = new WebHdfsStore({ url: 'http://127.0.0.1:19870', root: '/logs', timeoutMs: 10_000 }, { paths: ['**\/*'], ignore: [] });
 * const [first] = await store.list(signal);
 * if (first) console.log(first.path, (await store.read(first, signal)).byteLength);
 */
export class WebHdfsStore implements FileStore {
  readonly where: string;
  private readonly base: string;
  private readonly matches: (path: string) => boolean;
  private readonly bases: string[];

  constructor(
    protected readonly o: WebHdfsOptions,
    filter: PathFilter,
  ) {
    const root = o.root.replace(/\/+$/, '');
    this.base = `${o.url.replace(/\/+$/, '')}/webhdfs/v1${root}`;
    this.where = `webhdfs ${o.url}${root || '/'}`;
    this.matches = pathMatcher(filter);
    this.bases = walkBases(filter.paths);
  }

  async probe(signal: AbortSignal): Promise<void> {
    const res = await this.request('', 'GETFILESTATUS', signal);
    if (res.status === 404) throw new NotConnected(`${this.where}: root does not exist`);
    const status = single.safeParse(await this.json(res, 'GETFILESTATUS'));
    if (!status.success || status.data.FileStatus.type !== 'DIRECTORY')
      throw new NotConnected(`${this.where}: root is not a directory`);
  }

  async list(signal: AbortSignal): Promise<FileEntry[]> {
    await this.probe(signal);
    const out: FileEntry[] = [];
    const queue = [...this.bases];
    let active = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        if (queue.length === 0 && active === 0) resolve();
        while (active < WALK_CONCURRENCY && queue.length > 0) {
          const dir = queue.shift() as string;
          active += 1;
          this.listDir(dir, signal).then((children) => {
            active -= 1;
            for (const c of children) {
              const rel = dir === '' ? c.pathSuffix : `${dir}/${c.pathSuffix}`;
              if (c.type === 'DIRECTORY') queue.push(rel);
              else if (c.type === 'FILE' && this.matches(rel))
                out.push({ path: rel, size: c.length, mtime: c.modificationTime });
            }
            pump();
          }, reject);
        }
      };
      pump();
    });
    return out;
  }

  async read(entry: FileEntry, signal: AbortSignal): Promise<Uint8Array> {
    const open = await this.request(entry.path, 'OPEN', signal);
    if (open.status === 404) throw new FileGone(entry.path);
    const location = open.headers.get('location');
    if (open.status !== 307 || location === null)
      throw await this.refusal(open, `OPEN ${entry.path}`, entry.path);
    await open.body?.cancel();
    return this.download(location, entry, signal);
  }

  /** The DataNode leg of OPEN: streams the body, re-arming the timeout on every chunk. */
  private async download(
    location: string,
    entry: FileEntry,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), this.o.timeoutMs);
    const rearm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), this.o.timeoutMs);
    };
    const what = `OPEN ${entry.path} from datanode ${new URL(location).host}`;
    try {
      const res = await fetch(location, { signal: AbortSignal.any([signal, idle.signal]) });
      if (res.status === 404) throw new FileGone(entry.path);
      if (res.status !== 200 || res.body === null) throw await this.refusal(res, what, entry.path);
      const bytes = new Uint8Array(entry.size);
      let filled = 0;
      const reader = res.body.getReader();
      for (;;) {
        rearm();
        const { done, value } = await reader.read();
        if (done) break;
        if (filled + value.byteLength > entry.size) {
          await reader.cancel();
          throw new FileChanged(entry.path, `grew past ${entry.size} bytes while read`);
        }
        bytes.set(value, filled);
        filled += value.byteLength;
      }
      if (filled !== entry.size)
        throw new FileChanged(entry.path, `read ${filled} of ${entry.size} bytes`);
      return bytes;
    } catch (error) {
      throw this.transportError(error, what, signal, idle.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  protected async listDir(dir: string, signal: AbortSignal): Promise<z.output<typeof fileStatus>[]> {
    const res = await this.request(dir, 'LISTSTATUS', signal);
    // Deleted between the parent's listing and now, or a base that does not exist (yet).
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    const parsed = listing.safeParse(await this.json(res, `LISTSTATUS ${dir || '/'}`));
    if (!parsed.success)
      throw new NotConnected(`${this.where}: unexpected LISTSTATUS answer for ${dir || '/'}`);
    return parsed.data.FileStatuses.FileStatus.filter((s) => s.pathSuffix !== '');
  }

  /** One NameNode call, redirects not followed; 5xx and transport errors become NotConnected. */
  protected async request(
    path: string,
    op: string,
    signal: AbortSignal,
    init: { method?: string; params?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = `${this.base}${path === '' ? '' : `/${path.split('/').map(encodeURIComponent).join('/')}`}?${this.query(op, init.params)}`;
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const what = `${op} ${path || '/'}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method ?? 'GET',
        signal: AbortSignal.any([signal, timeout]),
        redirect: 'manual',
      });
    } catch (error) {
      throw this.transportError(error, what, signal, timeout);
    }
    if (res.status >= 500) throw await this.refusal(res, what, path);
    return res;
  }

  private query(op: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ op, ...params });
    if (this.o.user !== undefined) q.set('user.name', this.o.user);
    return q.toString();
  }

  protected async json(res: Response, what: string): Promise<unknown> {
    if (res.status !== 200) throw await this.refusal(res, what, '');
    try {
      return await res.json();
    } catch (error) {
      throw new NotConnected(`${this.where}: ${what}: unreadable answer: ${errorMessage(error)}`);
    }
  }

  /**
   * The error for a non-success answer: for a file and a {@link PERMANENT} exception, a
   * rejection that is not retried; otherwise not connected.
   */
  protected async refusal(res: Response, what: string, file: string): Promise<Error> {
    const text = await res.text().catch(() => '');
    let exception = '';
    let message = text.slice(0, 300);
    try {
      const parsed = remote.safeParse(JSON.parse(text));
      if (parsed.success) ({ exception, message = '' } = parsed.data.RemoteException);
    } catch {
      // Not JSON: keep the raw text.
    }
    const detail = `${what}: HTTP ${res.status} ${exception} ${message}`.trim();
    if (file !== '' && res.status < 500 && PERMANENT.has(exception))
      return new FileRejected(file, detail);
    return new NotConnected(`${this.where}: ${detail}`);
  }

  protected transportError(
    error: unknown,
    what: string,
    caller: AbortSignal,
    timeout: AbortSignal,
  ): unknown {
    if (
      error instanceof FileGone ||
      error instanceof FileChanged ||
      error instanceof FileRejected ||
      error instanceof NotConnected
    )
      return error;
    if (caller.aborted) return error;
    if (timeout.aborted)
      return new NotConnected(`${this.where}: ${what} timed out after ${this.o.timeoutMs} ms`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return new NotConnected(
      `${this.where}: ${what}: ${cause?.code ?? cause?.message ?? errorMessage(error)}`,
      { cause: error },
    );
  }
}
