import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import fg from 'fast-glob';
import { z } from 'zod';
import { EndOfInput } from '../errors.js';
import type { SourceRead } from '../io.js';
import { defineSource } from '../kind.js';
import { LineSplitter } from '../../streams/line-splitter.js';
import type { Json, LogRecord } from '../../streams/record.js';

export const fileSourceConfig = z
  .strictObject({
    paths: z.array(z.string().min(1)).min(1).describe('Files or globs, relative to the topology file.'),
    batchSize: z.number().int().positive().default(1000).describe('Lines per batch.'),
    maxLineBytes: z.number().int().positive().default(1024 * 1024).describe('Longer lines are cut to this length and flagged with header truncated=true.'),
    readBytes: z.number().int().positive().default(256 * 1024).describe('Bytes per read call.'),
  })
  .describe('Reads UTF-8 lines from files, once: each file is read to its end and remembered (by path and offset) only when all of its lines are acknowledged, so a restart neither skips nor repeats acknowledged lines.');

/** Committed progress: the acknowledged byte offset per file (`-1` when the whole file is done). */
type Progress = Record<string, number>;
interface Position {
  file: string;
  offset: number;
  eof: boolean;
}

export const fileSourceKind = defineSource({
  name: 'file',
  description: 'Lines of local files, read once.',
  config: fileSourceConfig,
  create(config: z.output<typeof fileSourceConfig>, ctx) {
    const saved = ctx.checkpoint.get();
    const progress: Progress = saved !== null && typeof saved === 'object' && !Array.isArray(saved) ? { ...(saved as Progress) } : {};
    let queue: string[] = [];
    let current: { path: string; handle: FileHandle; splitter: LineSplitter; lastEnd: number } | undefined;
    const buffer = Buffer.allocUnsafe(config.readBytes);

    async function openNext(): Promise<boolean> {
      while (queue.length > 0) {
        const path = queue.shift() as string;
        const done = progress[path];
        if (done === -1) continue;
        const offset = done ?? 0;
        const handle = await open(path, 'r');
        current = { path, handle, splitter: new LineSplitter(config.maxLineBytes, offset), lastEnd: offset };
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
      async read(): Promise<SourceRead<Position>> {
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
              const headers: Record<string, string> = { file: cur.path };
              if (l.truncated) headers.truncated = 'true';
              records.push({ value: l.bytes.toString('utf8'), ts: Date.now(), headers });
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
      commit(position: unknown) {
        const p = position as Position;
        progress[p.file] = p.eof ? -1 : p.offset;
        ctx.checkpoint.set(progress as Json);
      },
      async close() {
        await current?.handle.close();
        current = undefined;
        await ctx.checkpoint.flush();
      },
    };
  },
});
