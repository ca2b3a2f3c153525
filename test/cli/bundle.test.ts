import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { topologyDir } from './process.js';

/** The CLI as an installed package runs it: bundled into one module by `npm run build` (scripts/bundle-cli.mjs). */
const bundle = fileURLToPath(new URL('../../dist/cli/millrace.mjs', import.meta.url));

function runBundle(args: string[], cwd: string, onStderr?: (text: string) => void): { exited: Promise<{ code: number | null; stderr: string }>; stop(): void } {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` (npm test does) before this test`);
  const child = spawn(process.execPath, [bundle, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  return { exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))), stop: () => child.kill('SIGTERM') };
}

describe('the bundled CLI (dist/cli/millrace.mjs)', () => {
  it('runs a stage in a worker thread: the thread finds its entry module outside the bundle', async () => {
    const { dir, file } = topologyDir('');
    writeFileSync(join(dir, 'upper.mjs'), 'export default (r) => ({ ...r, value: String(r.value).toUpperCase() });\n');
    const out = join(dir, 'out.txt');
    writeFileSync(
      file,
      [
        'name: bundled',
        'sources:',
        '  gen: { kind: generator, count: 2000, payloadBytes: 8 }',
        'stages:',
        `  upper: { kind: map, inputs: [gen], module: ./upper.mjs, isolation: thread }`,
        'sinks:',
        `  out: { kind: file, inputs: [upper], path: ${out}, format: lines }`,
        '',
      ].join('\n'),
    );
    const run = await runBundle(['run', file], dir).exited;
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2000);
    expect(lines.every((l) => l === l.toUpperCase())).toBe(true);
  }, 60_000);

  it('serves the web inspector page from the files beside the compiled code', async () => {
    const { dir, file } = topologyDir('name: endless\nsources:\n  gen: { kind: generator, rate: 10 }\nsinks:\n  out: { kind: blackhole, inputs: [gen] }\n');
    let inspector: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (inspector = resolve));
    const running = runBundle(['run', '--inspect', '127.0.0.1:0', file], dir, (stderr) => {
      const m = /inspector: (http:\S+)/.exec(stderr);
      if (m !== null) inspector(m[1] as string);
    });
    try {
      const page = await fetch(await url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
    } finally {
      running.stop();
      const run = await running.exited;
      expect(run.code, run.stderr).toBe(0);
    }
  }, 60_000);
});
