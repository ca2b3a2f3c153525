import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import fg from 'fast-glob';
import { EndOfInput } from '../../core/errors.js';
import type { ActorContext, SourceIO, SourceRead } from '../../actors/io.js';
import { LineSplitter } from '../../streams/line-splitter.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { FileSourceConfig } from './source-config.js';
import { lineHeaders } from './line-headers.js';
import { isTailCheckpoint } from './positions.js';

/** Committed progress: the acknowledged byte offset per file (`-1` when the whole file is done). */
type Progress = Record<string, number>;

/** Where a once-mode batch ends: its file, the offset after its last line, and whether the file is done. */
export interface OncePosition {
  file: string;
  offset: number;
  eof: boolean;
}

/**
 * The `file` source in `once` mode: every file matching the globs is read to its end, one after
 * the other in path order, then the source ends. Progress is kept by path; a file whose lines are
 * all acknowledged is marked done and never read again.
 */
export function onceReader(config: FileSourceConfig, ctx: ActorContext): SourceIO<OncePosition> {
  const saved = ctx.checkpoint.get();
  let progress: Progress = {};
  if (isTailCheckpoint(saved)) ctx.log.warn('the saved position was written in tail mode; reading every file from its start');
  else if (saved !== null && typeof saved === 'object' && !Array.isArray(saved)) progress = { ...(saved as Progress) };
  let queue: string[] = [];
  let current: { path: string; handle: FileHandle; splitter: LineSplitter; lastEnd: number; headers: ReturnType<typeof lineHeaders> } | undefined;
  const buffer = Buffer.allocUnsafe(config.readBytes);

  async function openNext(): Promise<boolean> {
    while (queue.length > 0) {
      const path = queue.shift() as string;
      const done = progress[path];
      if (done === -1) continue;
      const offset = done ?? 0;
      const handle = await open(path, 'r');
      current = { path, handle, splitter: new LineSplitter(config.maxLineBytes, offset), lastEnd: offset, headers: lineHeaders(config, path) };
      return true;
    }
    return false;
  }

  return {
    async connect() {
      const files = await fg(config.paths, { cwd: ctx.baseDir, absolute: true, onlyFiles: true });
      queue = files.map((f) => resolve(f)).sort();
      if (queue.length === 0) ctx.log.warn({ paths: config.paths }, 'no file matches');
    },
    async read(): Promise<SourceRead<OncePosition>> {
      for (;;) {
        if (current === undefined && !(await openNext())) throw new EndOfInput();
        const cur = current as NonNullable<typeof current>;
        const records: LogRecord[] = [];
        let eof = false;
        while (records.length < config.batchSize) {
          const { bytesRead } = await cur.handle.read(buffer, 0, buffer.length, cur.splitter.position);
          const lines = bytesRead === 0 ? cur.splitter.end() : cur.splitter.push(buffer.subarray(0, bytesRead));
          for (const l of lines) {
            cur.lastEnd = l.end;
            const headers = l.truncated ? cur.headers.truncated : cur.headers.plain;
            const record: LogRecord = { value: l.bytes.toString('utf8'), ts: Date.now() };
            if (headers !== undefined) record.headers = { ...headers };
            records.push(record);
          }
          if (bytesRead === 0) {
            eof = true;
            break;
          }
        }
        const offset = cur.lastEnd;
        if (eof) {
          await cur.handle.close();
          current = undefined;
        }
        if (records.length === 0 && !eof) continue;
        return { records, position: { file: cur.path, offset, eof }, label: `${cur.path}@${offset}` };
      }
    },
    commit(position: OncePosition) {
      progress[position.file] = position.eof ? -1 : position.offset;
      ctx.checkpoint.set(progress as Json);
    },
    async close() {
      await current?.handle.close();
      current = undefined;
      await ctx.checkpoint.flush();
    },
  };
}
