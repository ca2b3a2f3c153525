import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { sampleCommand } from '../../src/cli/sample-command.js';

describe('millrace sample', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the sample with the requested file count, then leaves it alone with --if-missing', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const dir = join(mkdtempSync(join(tmpdir(), 'millrace-cli-')), 'data', 'sample');
    expect(await sampleCommand({ dir, files: '12' })).toBe(ExitCode.ok);
    const manifest = join(dir, 'MANIFEST.json');
    expect(JSON.parse(readFileSync(manifest, 'utf8')).files).toHaveLength(12);
    const before = statSync(manifest).mtimeMs;
    expect(await sampleCommand({ dir, files: '20', ifMissing: true })).toBe(ExitCode.ok);
    expect(statSync(manifest).mtimeMs).toBe(before);
    expect(JSON.parse(readFileSync(manifest, 'utf8')).files).toHaveLength(12);
    expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /12 files in 3 roots[\s\S]*nothing to do/,
    );
  });

  it('rejects a file count that is not a positive integer', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = join(mkdtempSync(join(tmpdir(), 'millrace-cli-')), 'never');
    expect(await sampleCommand({ dir, files: 'many' })).toBe(ExitCode.invalid);
    expect(existsSync(dir)).toBe(false);
    expect(String(err.mock.calls[0]?.[0])).toContain('--files must be a positive integer');
  });
});
