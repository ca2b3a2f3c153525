import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin } from '../cli/process.js';

/** A tree with good files beside an unreadable directory, a symlink loop and links up the tree. */
function oddTree(followSymlinks: boolean): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-odd-'));
  chmodSync(dir, 0o777); // the run (as nobody) writes its output and state here
  const input = join(dir, 'in');
  mkdirSync(join(input, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(input, 'secret'));
  writeFileSync(join(input, 'a.log'), 'line from a\n');
  writeFileSync(join(input, 'sub', 'b.log'), 'line from b\n');
  writeFileSync(join(input, 'sub', 'deeper', 'c.log'), 'line from c\n');
  writeFileSync(join(input, 'secret', 'hidden.log'), 'never read\n');
  chmodSync(join(input, 'secret'), 0o000);
  symlinkSync('loop2', join(input, 'loop1'));
  symlinkSync('loop1', join(input, 'loop2'));
  symlinkSync('.', join(input, 'self'));
  symlinkSync('..', join(input, 'sub', 'up'));
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'd.log'), 'line from d\n');
  symlinkSync('../elsewhere', join(input, 'linked'));
  const file = join(dir, 'topology.yaml');
  writeFileSync(
    file,
    [
      'sources:',
      '  files:',
      '    kind: hdfs',
      '    clusters:',
      `      - { name: l, backend: { type: local, dir: ./in, followSymlinks: ${followSymlinks} }, paths: ["**/*.log"] }`,
      'sinks:',
      '  out: { kind: file, inputs: [files], path: out.txt, format: lines }',
      '',
    ].join('\n'),
  );
  return { dir, file };
}

/** `millrace run` as the user nobody (root reads any directory); its exit code, or null if killed at the deadline. */
function runAsNobody(file: string, dir: string): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, bin, 'run', file], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, stderr });
    }),
  );
}

const deadLetters = (dir: string): { reason: string; position: string; value: string }[] => {
  const file = join(dir, '.millrace', 'deadletter.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; position: string; value: string }) : [];
};

describe('the hdfs source on a local tree with odd entries (run as nobody)', () => {
  for (const follow of [true, false]) {
    it(`stores every readable file once${follow ? ' (a linked directory too)' : ' (not through a directory symlink)'} and dead-letters the unreadable directory and the symlink loop (followSymlinks: ${follow})`, async () => {
      const { dir, file } = oddTree(follow);
      const run = await runAsNobody(file, dir);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const out = readFileSync(join(dir, 'out.txt'), 'utf8').split('\n').filter(Boolean).sort();
      expect(out).toEqual(['line from a', 'line from b', 'line from c', ...(follow ? ['line from d'] : [])]);
      const reasons = deadLetters(dir).map((d) => d.reason).join('\n');
      expect(reasons).toMatch(/secret: cannot list directory: EACCES/);
      expect(reasons).toMatch(/loop1: cannot resolve: ELOOP/);
      expect(reasons).not.toContain('never read');
    }, 120_000);
  }
});
