import { describe, expect, it } from 'vitest';
import { inspectOptions, withOptionalInspectValue } from '../../src/cli/inspect-options.js';
import { bindRefusal, isLoopback, loopbackHostAllowed, parseBindAddress } from '../../src/inspect/security.js';
import { InspectBindRefused, startInspectServer } from '../../src/inspect/server.js';
import { ReplaySource } from '../../src/inspect/replay.js';
import { redactConfig } from '../../src/inspect/topology-view.js';

describe('inspector address and token rules', () => {
  it('parses host:port, :port, port and [v6]:port, defaulting to loopback', () => {
    expect(parseBindAddress('0.0.0.0:9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(parseBindAddress(':9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseBindAddress('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseBindAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(() => parseBindAddress('host:99999')).toThrow(/invalid inspector address/);
    expect(() => parseBindAddress('nonsense')).toThrow(/invalid inspector address/);
  });

  it('treats 127/8, ::1 and localhost as loopback and nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', 'localhost.evil.com']) expect(isLoopback(host), host).toBe(false);
  });

  it('refuses a non-loopback bind without a token, and allows it with one', () => {
    expect(bindRefusal('0.0.0.0', undefined)).toMatch(/without a token/);
    expect(bindRefusal('0.0.0.0', '')).toMatch(/without a token/);
    expect(bindRefusal('10.1.2.3', 'secret')).toBeUndefined();
    expect(bindRefusal('127.0.0.1', undefined)).toBeUndefined();
  });

  it('reads the token from --inspect-token, else MILLRACE_INSPECT_TOKEN, and turns a tokenless public bind into a usage error', () => {
    expect(inspectOptions({ inspect: '0.0.0.0:9464' }, {})).toEqual({ error: expect.stringMatching(/refusing to serve the inspector on 0\.0\.0\.0/) });
    expect(inspectOptions({ inspect: '0.0.0.0:9464' }, { MILLRACE_INSPECT_TOKEN: 'env-token' })).toEqual({ address: { host: '0.0.0.0', port: 9464 }, token: 'env-token' });
    expect(inspectOptions({ inspect: '0.0.0.0:9464', 'inspect-token': 'flag' }, { MILLRACE_INSPECT_TOKEN: 'env' })).toMatchObject({ token: 'flag' });
    expect(inspectOptions({ inspect: '' }, {})).toEqual({ address: { host: '127.0.0.1', port: 9464 } });
    expect(inspectOptions({ 'inspect-record': 'run.jsonl' }, {})).toEqual({ recordTo: 'run.jsonl' });
    expect(inspectOptions({}, {})).toBeUndefined();
    expect(inspectOptions({ inspect: 'bad address' }, {})).toEqual({ error: expect.stringMatching(/invalid inspector address/) });
  });

  it('refuses to start the server on a non-loopback address without a token, before binding', async () => {
    const source = new ReplaySource({ topology: { name: 't', file: 't.yaml', nodes: [], edges: [], layout: { direction: 'LR', width: 0, height: 0, nodes: {}, edges: [] } }, startedAt: 0, endedAt: 0, health: { status: 'finished' }, transitions: [], metrics: [], runs: 1 });
    await expect(startInspectServer(source, { host: '0.0.0.0', port: 0 })).rejects.toBeInstanceOf(InspectBindRefused);
  });

  it('lets --inspect take its address optionally', () => {
    expect(withOptionalInspectValue(['run', 't.yaml', '--inspect'])).toEqual(['run', 't.yaml', '--inspect=']);
    expect(withOptionalInspectValue(['run', '--inspect', 't.yaml'])).toEqual(['run', '--inspect=', 't.yaml']);
    expect(withOptionalInspectValue(['run', 't.yaml', '--inspect', ':9000'])).toEqual(['run', 't.yaml', '--inspect', ':9000']);
    expect(withOptionalInspectValue(['run', 't.yaml', '--inspect', '0.0.0.0:9000'])).toEqual(['run', 't.yaml', '--inspect', '0.0.0.0:9000']);
    expect(withOptionalInspectValue(['run', 't.yaml', '--inspect', '9000'])).toEqual(['run', 't.yaml', '--inspect', '9000']);
  });

  it('accepts only loopback Host headers on a loopback bind', () => {
    expect(loopbackHostAllowed('127.0.0.1:9464')).toBe(true);
    expect(loopbackHostAllowed('localhost:9464')).toBe(true);
    expect(loopbackHostAllowed('[::1]:9464')).toBe(true);
    expect(loopbackHostAllowed('attacker.example:9464')).toBe(false);
    expect(loopbackHostAllowed(undefined)).toBe(false);
  });

  it('masks secret-looking config values and keeps the rest', () => {
    expect(redactConfig({ host: 'db', password: 'hunter2', apiKey: 'k', nested: { authToken: 't', keys: 4 }, tokenless: null })).toEqual({ host: 'db', password: '***', apiKey: '***', nested: { authToken: '***', keys: 4 }, tokenless: null });
  });
});
