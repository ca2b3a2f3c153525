/**
 * The agent as a real millrace process (file tail and socket source into the agent sink) while
 * its gateway is down, so everything goes to the spill queue; it is killed with SIGKILL mid-spill
 * and started again, then the gateway comes back. Every file line and every line an application
 * wrote to the socket must reach the gateway; what arrives twice is counted and bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../kit/eventually.js';
import { millrace, topologyDir, type Exited } from '../../cli/process.js';
import { resendingClient } from '../socket/resending-client.js';
import { GatewayPeer } from './gateway-peer.js';

const FILE_LINES = 20_000;
const APP_LINES = 1500;

/** Bytes of the spill queues' segment files under `dir`. */
function spillBytes(dir: string): number {
  let total = 0;
  const walk = (d: string, inSpill: boolean): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, inSpill || e.name === 'spill');
      else if (inSpill && e.name.endsWith('.log')) total += statSync(p).size;
    }
  };
  walk(dir, false);
  return total;
}

describe('agent under kill -9', () => {
  it('delivers every file line and every socket write after a SIGKILL mid-spill and a restart (duplicates counted, bounded)', { timeout: 120_000 }, async () => {
    const peer = await GatewayPeer.start();
    peer.down();
    const { dir, file } = topologyDir('');
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'app.log'), Array.from({ length: FILE_LINES }, (_, i) => `file line ${i}\n`).join(''));
    writeFileSync(
      file,
      `name: agent
dataDir: data
sources:
  files: { kind: file, paths: [logs/*.log], mode: tail, batchSize: 200 }
  apps: { kind: socket, path: agent.sock, ack: true }
sinks:
  gateway:
    kind: agent
    inputs: [files, apps]
    gateways: ['${peer.address}']
    defaultStream: files
    health: { intervalMs: 200, timeoutMs: 500 }
    backoff: { initialMs: 20, maxMs: 300 }
    spill: { segmentBytes: 65536, maxBytes: 67108864 }
`,
    );
    const running: { proc: ChildProcess; exited: Promise<Exited> }[] = [];
    const start = (): { proc: ChildProcess; exited: Promise<Exited> } => {
      const p = millrace(['run', file]);
      running.push(p);
      return p;
    };
    const appLines = Array.from({ length: APP_LINES }, (_, i) => `app app write ${i}`);
    try {
      const first = start();
      const app = resendingClient(join(dir, 'agent.sock'), appLines, 2, 60_000);
      await eventually(() => spillBytes(join(dir, 'data')) > 300_000 && app.answered() > 100, { what: 'a spill queue filling and acked socket writes', timeoutMs: 30_000 });
      first.proc.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const answeredAtKill = app.answered();
      await eventually(() => app.cutOff() > 0, { what: 'the socket client seeing its unanswered writes cut off' });
      expect(answeredAtKill, 'some writes were left unanswered by the killed agent').toBeLessThan(APP_LINES);

      const second = start();
      await peer.up();
      await app.done;
      await eventually(() => new Set(peer.values('files')).size === FILE_LINES && new Set(peer.values('app')).size === APP_LINES, {
        what: `${FILE_LINES} file lines and ${APP_LINES} socket lines at the gateway`,
        timeoutMs: 60_000,
      });
      second.proc.kill('SIGTERM');
      await second.exited;

      const files = peer.values('files');
      const apps = peer.values('app');
      expect(new Set(files)).toEqual(new Set(Array.from({ length: FILE_LINES }, (_, i) => `file line ${i}`)));
      expect(new Set(apps)).toEqual(new Set(appLines.map((l) => l.slice('app '.length))));
      const duplicates = files.length - FILE_LINES + (apps.length - APP_LINES);
      console.info(`agent kill -9: ${duplicates} records arrived twice (${peer.duplicates} more recognised by batch sequence), ${app.connections()} socket connections`);
      // At most what was read but not yet committed when the agent was killed: far below everything.
      expect(duplicates).toBeLessThan((FILE_LINES + APP_LINES) / 4);
    } finally {
      for (const p of running) p.proc.kill('SIGKILL');
      peer.down();
    }
  });
});
