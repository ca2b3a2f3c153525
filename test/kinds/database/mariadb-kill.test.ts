import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../kit/eventually.js';
import { installMariaDb, kill9MariaDb, startMariaDb, stopMariaDb } from '../../infra/mariadb/server.js';
import { mysqlUrl, sql, storedLines } from './mariadb.js';

/** A MariaDB instance of this test's own, since it gets killed: test/infra/mariadb "dbkill" on 13336. */
const server = { host: '127.0.0.1', port: 13336, user: 'millrace', password: 'millrace', database: 'millrace' };
const instance = 'dbkill';

interface Progress {
  states: string[];
  inserted: number;
  result?: { ok: boolean; error?: string };
  deadLettered?: number;
}

describe('database sink when MariaDB dies mid-run', () => {
  beforeAll(async () => {
    await installMariaDb();
    await startMariaDb(instance, server.port);
    await sql(server, 'DROP TABLE IF EXISTS `killed`');
  });

  afterAll(async () => {
    await stopMariaDb(instance);
  });

  it('backs off while the server is down and, once it is back, completes with every row stored once', { timeout: 240_000 }, async () => {
    const count = 40_000;
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'kill-run.ts'), mysqlUrl(server), 'killed', String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const progress: Progress = { states: [], inserted: 0 };
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { state?: string; inserted?: number; result?: Progress['result']; deadLettered?: number };
      if (message.state !== undefined) progress.states.push(message.state);
      if (message.inserted !== undefined) progress.inserted = message.inserted;
      if (message.result !== undefined) Object.assign(progress, { result: message.result, deadLettered: message.deadLettered });
    });
    try {
      await eventually(() => progress.inserted >= 5000, { what: 'rows stored before the kill', timeoutMs: 60_000 });
      await kill9MariaDb(instance);
      await eventually(() => progress.states.includes('backoff'), { what: 'the sink to back off', timeoutMs: 30_000 });
      const whileDown = progress.inserted;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(progress.inserted).toBe(whileDown);
      expect(whileDown).toBeLessThan(count);
      await startMariaDb(instance, server.port);
      await eventually(() => progress.result !== undefined, { what: 'the run to finish after the restart', timeoutMs: 60_000 });
    } finally {
      child.kill('SIGKILL');
    }
    expect(progress.result).toEqual({ ok: true });
    expect(progress.deadLettered).toBe(0);
    expect(progress.states.at(-1)).toBe('stopped');
    expect(await storedLines(server, 'killed')).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });
});
