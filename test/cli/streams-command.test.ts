import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamsCommand } from '../../src/cli/streams-command.js';
import { tokenHash } from '../../src/core/token-hash.js';
import { StreamRegistry } from '../../src/db/stream-registry.js';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: streamsCommand(args), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('millrace streams', () => {
  it('adds, lists, updates, disables and removes streams in the registry file the gateway reads', () => {
    const registry = join(mkdtempSync(join(tmpdir(), 'millrace-streams-')), 'streams.db');
    const added = run(['add', 'web', '--registry', registry, '--quota-records', '500', '--owner', 'shop', '--sinks', '[{"kind":"hdfs"}]']);
    expect(added.code).toBe(0);
    const token = /token: (\S+)/.exec(added.out)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(run(['add', 'api', '--registry', registry, '--topic', 'logs.api', '--token', 'a-token-of-my-own-42']).code).toBe(0);
    expect(run(['list', '--registry', registry]).out).toMatch(/^api\s+logs\.api\s+default\s+active/m);
    expect(run(['update', 'web', '--registry', registry, '--quota-records', 'none', '--retention-hours', '48']).code).toBe(0);
    expect(run(['disable', 'api', '--registry', registry]).code).toBe(0);

    const store = StreamRegistry.open(registry);
    try {
      const web = store.get('web');
      expect(web).toMatchObject({ topic: 'web', owner: 'shop', quotaRecordsPerSec: null, retentionHours: 48, sinks: [{ kind: 'hdfs' }], state: 'active', tokenSha256: tokenHash(token) });
      expect(store.get('api')).toMatchObject({ state: 'disabled', tokenSha256: tokenHash('a-token-of-my-own-42') });
    } finally {
      store.close();
    }
    expect(run(['show', 'web', '--registry', registry]).out).not.toMatch(/token/i);
    expect(run(['remove', 'web', '--registry', registry]).code).toBe(0);
    expect(run(['show', 'web', '--registry', registry])).toMatchObject({ code: 2, err: expect.stringMatching(/no stream web/) });
  });

  it('refuses invalid settings naming the field, and changes nothing', () => {
    const registry = join(mkdtempSync(join(tmpdir(), 'millrace-streams-')), 'streams.db');
    expect(run(['add', 'bad id', '--registry', registry])).toMatchObject({ code: 2, err: expect.stringMatching(/^id: a stream id has only letters/m) });
    expect(run(['add', 'ok', '--registry', registry, '--quota-bytes', 'lots'])).toMatchObject({ code: 2, err: expect.stringMatching(/^quotaBytesPerSec: /m) });
    expect(run(['add', 'ok', '--registry', registry, '--sinks', '{oops'])).toMatchObject({ code: 2, err: expect.stringMatching(/--sinks: not JSON/) });
    expect(run(['add', 'ok', '--registry', registry, '--token', 'short'])).toMatchObject({ code: 2, err: expect.stringMatching(/token: at least 16 characters/) });
    expect(run(['add', 'ok', '--registry', registry]).code).toBe(0);
    expect(run(['add', 'ok', '--registry', registry])).toMatchObject({ code: 2, err: expect.stringMatching(/already exists/) });
    expect(run(['update', 'ok', '--registry', registry, '--state', 'paused'])).toMatchObject({ code: 2, err: expect.stringMatching(/^state: /m) });
    expect(run(['update', 'ok', '--registry', registry, '--topic', 'a/b'])).toMatchObject({ code: 2, err: expect.stringMatching(/^topic: a topic has only/m) });
    expect(run(['list', '--registry', registry]).out).toMatch(/^ok\s+ok\s+default\s+active\s+-\s+-$/m);
  });
});
