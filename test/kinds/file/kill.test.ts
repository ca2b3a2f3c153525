import { existsSync, fstatSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../kit/eventually.js';
import { logsDir, pause } from './helpers.js';
import { startTailProcess as startChild } from './tail-process.js';

/** Where each written line ends: the identity of the file it went to and the offset after it. */
interface Written {
  line: string;
  key: string;
  end: number;
}

/** Appends numbered lines to two files, rotating one by rename midway, until told to stop. */
class Writer {
  readonly written: Written[] = [];
  private stop = false;
  readonly done: Promise<void>;

  constructor(dir: string) {
    this.done = this.run(dir);
  }

  finish(): Promise<void> {
    this.stop = true;
    return this.done;
  }

  private async run(dir: string): Promise<void> {
    const open = (name: string): { fd: number; key: string; size: number } => {
      const fd = openSync(join(dir, name), 'a');
      const s = fstatSync(fd, { bigint: true });
      return { fd, key: `${s.dev}:${s.ino}`, size: 0 };
    };
    const files = { a: open('a.log'), b: open('b.log') };
    for (let n = 0; !this.stop; n++) {
      for (const name of ['a', 'b'] as const) {
        const f = files[name];
        const line = `${name}-${String(n).padStart(7, '0')} ${'p'.repeat(n % 50)}`;
        writeSync(f.fd, `${line}\n`);
        f.size += Buffer.byteLength(line) + 1;
        this.written.push({ line, key: f.key, end: f.size });
      }
      if (n === 1500) {
        renameSync(join(dir, 'a.log'), join(dir, 'a.log.1'));
        closeSync(files.a.fd);
        files.a = open('a.log');
      }
      if (n % 20 === 19) await pause(4);
    }
    closeSync(files.a.fd);
    closeSync(files.b.fd);
  }
}

describe('file source, tail mode, killed', () => {
  it('kill -9 mid-stream and restart: every line reaches the sink, and only lines after the last committed position appear twice', { timeout: 90_000 }, async () => {
    const dir = logsDir();
    const logs = join(dir, 'logs');
    const sink = join(dir, 'sink.txt');
    const topologyFile = join(dir, 'topology.yaml');
    writeFileSync(
      topologyFile,
      [
        'dataDir: data',
        'sources:',
        '  src: { kind: file, mode: tail, paths: ["logs/*.log"], batchSize: 50, pollIntervalMs: 20, scanIntervalMs: 100, rotateWaitMs: 300 }',
        'sinks:',
        '  out: { kind: file, inputs: [src], path: sink.txt, format: lines }',
        '',
      ].join('\n'),
    );
    await import('node:fs/promises').then((fs) => fs.mkdir(logs));
    const sinkLines = (): string[] => (existsSync(sink) ? readFileSync(sink, 'utf8').split('\n').slice(0, -1) : []);

    const first = await startChild(topologyFile);
    const writer = new Writer(logs);
    // Past the rotation (line 1500 of a.log), with batches still flowing.
    await eventually(() => sinkLines().length >= 4000, { what: 'the first run to deliver past the rotation', timeoutMs: 60_000 });
    first.child.kill('SIGKILL');
    await first.exited;
    const deliveredAtKill = sinkLines().length;
    const saved = JSON.parse(readFileSync(join(dir, 'data', 'checkpoints', 'src.json'), 'utf8')) as { files: Record<string, { offset: number }> };
    const committed = new Map(Object.entries(saved.files).map(([key, e]) => [key, e.offset]));

    await pause(300);
    const second = await startChild(topologyFile);
    await pause(500);
    await writer.finish();
    const all = new Set(writer.written.map((w) => w.line));
    await eventually(() => new Set(sinkLines()).size >= all.size, { what: 'every line in the sink', timeoutMs: 60_000 });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const counts = new Map<string, number>();
    for (const l of sinkLines()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const missing = writer.written.filter((w) => (counts.get(w.line) ?? 0) === 0);
    const twiceBeforeCommit = writer.written.filter((w) => (counts.get(w.line) ?? 0) > 1 && w.end <= (committed.get(w.key) ?? 0));
    const foreign = [...counts.keys()].filter((l) => !all.has(l));
    expect(missing).toEqual([]);
    expect(twiceBeforeCommit).toEqual([]);
    expect(foreign).toEqual([]);
    // The kill really happened mid-stream, after positions were committed for some lines.
    expect(deliveredAtKill).toBeLessThan(writer.written.length);
    expect([...committed.values()].some((o) => o > 0)).toBe(true);
  });
});
