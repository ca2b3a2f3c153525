import { mkdirSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ClusterResponse } from '../../src/inspect/cluster-view.js';
import { generatorTopology, zooKeeperAndProcesses } from '../cli/cluster-topologies.js';
import { millrace, topologyDir } from '../cli/process.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { missingPart } from '../real-part.js';
import { chromiumPath, hasChromium, launchChromium } from './chromium.js';

const screenshots = new URL('./screenshots/', import.meta.url).pathname;

describe('the inspector\'s cluster view: /api/cluster and the page', () => {
  const { zk, procs } = zooKeeperAndProcesses();

  it('lists the processes of the topology from ZooKeeper with the state and rates each one\'s inspector reports; a run without coordination says what to add', async () => {
    const name = `cluster-view-${process.pid}-${Date.now()}`;
    const file = generatorTopology(name, zk().connect, 2000);
    const ports = [await freePort(), await freePort()];
    const runs = ports.map((port) => millrace(['run', file, '--inspect', `127.0.0.1:${port}`]));
    procs.push(...runs.map((r) => r.proc));
    const view = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${ports[0]}/api/cluster`);
      const c = (await res.json()) as ClusterResponse;
      return c.processes.length === 2 && c.processes.every((p) => p.state === 'running' && (p.inRate ?? 0) > 50) && c;
    }, { what: 'both processes listed as running with their generator rate', timeoutMs: 60_000, intervalMs: 500 });
    expect(view).toMatchObject({ topology: name, zookeeper: zk().connect, error: null, membership: { state: 'registered', degraded: false } });
    expect(view.processes.map((p) => p.pid).sort()).toEqual(runs.map((r) => r.proc.pid).sort());
    expect(view.processes.map((p) => p.inspector).sort()).toEqual(ports.map((p) => `http://127.0.0.1:${p}/`).sort());
    for (const p of view.processes) expect(p, JSON.stringify(p)).toMatchObject({ errors: 0, degradedActors: [], membership: { state: 'registered' } });

    if (!missingPart(hasChromium, `Chromium (${chromiumPath})`, 'apt-get install chromium')) {
      mkdirSync(screenshots, { recursive: true });
      const browser: BrowserContext = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`http://127.0.0.1:${ports[0]}/`);
        await expect.poll(() => page.locator('#cluster .cluster-table tbody tr').count(), { timeout: 15_000 }).toBe(2);
        await expect.poll(() => page.locator('#cluster .cluster-state.state-running').count(), { timeout: 15_000 }).toBe(2);
        expect(await page.locator('#cluster .cluster-membership').textContent()).toBe('membership registered');
        const rows = await page.locator('#cluster .cluster-table tbody tr').allTextContents();
        for (const pid of runs.map((r) => r.proc.pid)) expect(rows.some((r) => r.includes(`:${pid}`))).toBe(true);
        expect(await page.locator('#cluster tr.self').count()).toBe(1);
        expect(await page.locator('#cluster tr.self').textContent()).toContain(`:${runs[0]!.proc.pid}`);
        await page.screenshot({ path: `${screenshots}cluster.png` });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }

    const alone = topologyDir(`
sources:
  gen: { kind: generator, rate: 10 }
sinks:
  out: { kind: blackhole, inputs: [gen] }
`).file;
    const port = await freePort();
    const single = millrace(['run', alone, '--inspect', `127.0.0.1:${port}`]);
    procs.push(single.proc);
    const res = await eventually(() => fetch(`http://127.0.0.1:${port}/api/cluster`).catch(() => undefined), { what: 'the inspector', timeoutMs: 30_000 });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain('coordination: { zookeeper');
    for (const r of [...runs, single]) r.proc.kill('SIGTERM');
    for (const r of [...runs, single]) {
      const e = await r.exited;
      expect(e.code, `millrace (pid ${r.proc.pid}) ended with ${e.code ?? e.signal}: ${e.stderr.slice(-3000)}`).toBe(0);
    }
  }, 150_000);
});
