import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, hasChromium, launchChromium } from './chromium.js';
import { fixtures } from './helpers.js';
import { missingPart } from '../real-part.js';

const screenshots = new URL('./screenshots/', import.meta.url).pathname;
const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** Starts a node process and resolves with it and the inspector URL it prints on stderr. */
function start(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      const url = /inspector: (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${stderr}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** An attribute of every element matching `selector`, in document order. */
async function attributes(page: Page, selector: string, name: string): Promise<(string | null)[]> {
  const locator = page.locator(selector);
  const out: (string | null)[] = [];
  for (let i = 0; i < (await locator.count()); i++) out.push(await locator.nth(i).getAttribute(name));
  return out;
}

const actors = ['gen', 'enrich', 'flaky', 'slow', 'out', 'deadletter'];

describe.skipIf(missingPart(hasChromium, `Chromium (${chromiumPath})`, 'apt-get install chromium'))('web inspector in headless Chromium', () => {
  const recording = join(mkdtempSync(join(tmpdir(), 'millrace-e2e-')), 'run.jsonl');
  let browser: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the live topology, every actor coloured by state, the restart of the crashing stage, and an actor\'s state machine on click', async () => {
    const data = mkdtempSync(join(tmpdir(), 'millrace-e2e-data-'));
    const { child, url } = await start([`${fixtures}run-inspected.ts`, `${fixtures}inspected.yaml`, recording], { MILLRACE_TEST_DATA: data });
    try {
      await page.goto(url);
      await expect.poll(() => page.locator('[data-actor][data-state]').count()).toBe(actors.length);
      expect(await attributes(page, '[data-actor]', 'data-actor')).toEqual(actors);
      await page.locator('.mode', { hasText: 'live' }).waitFor();
      await page.locator('[data-actor="flaky"] .badge.restarts[visibility="visible"]').waitFor();
      expect(await page.locator('[data-actor="flaky"] .badge.restarts text').textContent()).toBe('↻1');
      await expect.poll(async () => Number(await page.locator('[data-actor="slow"] .bar').getAttribute('width'))).toBeGreaterThan(0);
      await expect.poll(() => page.locator('.edge-label').first().textContent()).toMatch(/\/s$/);
      await page.screenshot({ path: `${screenshots}live.png` });

      await page.click('[data-actor="enrich"]');
      await expect.poll(() => page.locator('.panel h2').textContent()).toBe('enrich');
      const lit = await attributes(page, '.lc-node.current', 'data-state');
      expect(lit.length).toBeGreaterThan(0);
      for (const state of lit) expect(['running', 'paused']).toContain(state);
      expect(await page.locator('.panel .transitions li').count()).toBeGreaterThan(0);
      expect(await page.locator('.panel .config').textContent()).toContain('enrich.mjs');
      await page.screenshot({ path: `${screenshots}live-actor.png` });

      await page.click('[data-actor="flaky"]');
      await expect.poll(() => page.locator('.panel .errors').textContent()).toContain('planned crash on the first batch');
      expect(await page.locator('.panel .transitions').textContent()).toContain('running → failed');
      expect(errors).toEqual([]);
    } finally {
      await page.goto('about:blank');
      await stop(child);
    }
  });

  it('replays the recording with a time slider: the restart badge appears only after the crash', async () => {
    const { child, url } = await start([main, 'inspect', '--replay', recording, '--inspect', '127.0.0.1:0']);
    try {
      await page.goto(url);
      await page.locator('.mode', { hasText: 'replay' }).waitFor();
      const slider = page.locator('#replay input[type=range]');
      await slider.waitFor();
      const badge = page.locator('[data-actor="flaky"] .badge.restarts');
      await expect.poll(() => badge.getAttribute('visibility')).toBe('visible');
      const min = Number(await slider.getAttribute('min'));
      await slider.evaluate((el: { value: string; dispatchEvent(event: unknown): boolean }, value: number) => {
        const { Event } = globalThis as unknown as { Event: new (type: string) => unknown };
        el.value = String(value);
        el.dispatchEvent(new Event('input'));
      }, min);
      await expect.poll(() => badge.getAttribute('visibility')).toBe('hidden');
      await page.click('[data-actor="flaky"]');
      await page.click('.replay .play');
      await expect.poll(() => badge.getAttribute('visibility'), { timeout: 15_000 }).toBe('visible');
      await page.click('.replay .play');
      await page.screenshot({ path: `${screenshots}replay.png` });
      expect(errors).toEqual([]);
    } finally {
      await page.goto('about:blank');
      await stop(child);
    }
  });
});
