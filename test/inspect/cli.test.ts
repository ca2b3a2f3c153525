import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../kit/eventually.js';
import { fixtures, useRunningInspected } from './helpers.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** Runs the millrace CLI from the sources and returns its exit code and output. */
function millrace(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('millrace top and tap against a running topology', () => {
  const run = useRunningInspected();

  it('top --once prints one table of every actor with kind, state, rates, depth, restarts and errors', async () => {
    const { code, stdout } = await millrace(['top', '--once', '--url', run.url]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^millrace top: test {2}running {2}\d{4}-\d\d-\d\dT.* {2}rates over \d+s$/);
    expect(lines[2]).toMatch(/^ACTOR\s+KIND\s+STATE\s+IN\/S\s+OUT\/S\s+DEPTH\/CAPACITY\s+RESTARTS\s+ERRORS$/);
    const rows = new Map(lines.slice(3).map((l) => [l.split(/\s+/)[0], l.split(/\s+/)]));
    expect([...rows.keys()]).toEqual(['gen', 'enrich', 'sink', 'deadletter']);
    expect(rows.get('gen')?.slice(0, 3)).toEqual(['gen', 'generator', expect.stringMatching(/^(running|paused)$/)]);
    expect(rows.get('gen')?.[5]).toBe('-');
    expect(rows.get('sink')?.[5]).toMatch(/^\d+\/64$/);
    expect(rows.get('sink')?.slice(-2)).toEqual(['0', '0']);
    expect(stdout).not.toContain('\x1b[');
  });

  it('tap --limit 5 prints five records leaving the actor as JSON lines, then exits', async () => {
    const { code, stdout } = await millrace(['tap', 'enrich', '--limit', '5', '--url', run.url]);
    expect(code).toBe(0);
    const records = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { actor: string; value: string; key: string });
    expect(records).toHaveLength(5);
    for (const r of records) expect(r).toMatchObject({ actor: 'enrich', value: expect.stringMatching(/^seq=\d+ /), key: expect.stringMatching(/^k\d$/) });
    await eventually(() => run.runtime.nodes.get('enrich')?.outputs.tap === undefined, { what: 'the tap to detach', timeoutMs: 10_000 });
  });

  it('tap of an unknown actor fails with the server\'s reason', async () => {
    const { code, stderr } = await millrace(['tap', 'nope', '--limit', '1', '--url', run.url]);
    expect(code).toBe(1);
    expect(stderr).toContain('no actor "nope"');
  });
});

describe('millrace run --inspect', () => {
  it('prints the inspector URL, records the run and exits cleanly when the sources end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-inspect-cli-'));
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, `name: finite\ndataDir: ${dir}/data\nsources:\n  gen: { kind: generator, count: 3000, rate: 3000, batchSize: 100 }\nstages:\n  enrich: { kind: map, inputs: [gen], module: ${fixtures}enrich.mjs }\nsinks:\n  out: { kind: blackhole, inputs: [enrich] }\n`);
    const recording = join(dir, 'run.jsonl');
    const { code, stderr } = await millrace(['run', file, '--inspect', '127.0.0.1:0', '--inspect-record', recording]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^inspector: http:\/\/127\.0\.0\.1:\d+\/$/m);
    const lines = readFileSync(recording, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; health?: { status: string } });
    expect(lines[0]?.type).toBe('start');
    expect(lines.filter((l) => l.type === 'metrics').length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toEqual({ type: 'end', ts: expect.any(Number), health: { status: 'finished' } });
  });

  it('refuses a non-loopback address without a token (exit 2), before loading anything', async () => {
    const { code, stderr } = await millrace(['run', 'missing.yaml', '--inspect', '0.0.0.0:0'], { MILLRACE_INSPECT_TOKEN: '' });
    expect(code).toBe(2);
    expect(stderr).toContain('refusing to serve the inspector on 0.0.0.0 without a token');
  });

  it('top --once fails with exit 1 when no inspector answers', async () => {
    const { code, stderr } = await millrace(['top', '--once', '--url', 'http://127.0.0.1:9']);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read http://127.0.0.1:9');
  });
});
