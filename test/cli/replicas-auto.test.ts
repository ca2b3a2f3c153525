import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { millrace, topologyDir } from './process.js';

const topology = (replicas: string): string =>
  [
    'sources:',
    '  gen: { kind: generator, count: 10, rate: 0 }',
    'sinks:',
    `  out: { kind: blackhole, inputs: [gen], replicas: ${replicas} }`,
    '',
  ].join('\n');

describe('replicas: auto', () => {
  it('is resolved to the number of cores, which validate shows', async () => {
    const cores = availableParallelism();
    const { file } = topologyDir(topology('auto'));
    const result = await millrace(['validate', file]).exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(cores > 1 ? `gen → out ×${cores})` : 'gen → out)');
  }, 60_000);

  it('refuses any other word, pointing at the setting', async () => {
    const { file } = topologyDir(topology('many'));
    const result = await millrace(['validate', file]).exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/topology\.yaml:4:\d+: sinks\.out\.replicas: .*positive whole number, or auto/);
  }, 60_000);
});
