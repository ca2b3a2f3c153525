/**
 * Cost of the inspector: the pass-through topology (generator 1M × 100 B → 4 map stages →
 * blackhole) with `--inspect` on and a client connected, against the same run without.
 *
 *   node --import tsx bench/inspect.ts [--records 1000000] [--rounds 5] [--client http|browser|none]
 *
 * The `http` client (default) is a separate process that follows the live transition stream
 * (SSE) and, each second, scrapes /metrics and polls /api/actors like the web page does. The
 * `browser` client is the web page itself in headless Chromium; `none` serves with nobody
 * connected. Rounds alternate off/on; compared are the median wall time of each (`ratio`), the
 * best (`bestRatio`), the median of each pair of rounds (`pairedRatio`), and the median CPU time
 * of the millrace process (`cpuRatio`). Writes
 * bench/results/inspect.json (suffixed with the client and the record count when not the default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { attachInspector } from '../src/inspect/attach.js';
import { TransitionFeed } from '../src/inspect/transitions.js';
import { Runtime } from '../src/runtime/runtime.js';
import { benchTopology, modulesDir } from './bench-topology.js';

/** Who follows the inspector during `on` rounds; `none` serves with nobody connected. */
export type ClientKind = 'http' | 'browser' | 'none';

export interface InspectBenchResult {
  records: number;
  rounds: number;
  client: ClientKind;
  offRecordsPerSec: number;
  onRecordsPerSec: number;
  /** on / off throughput from the median round of each; the target is at least 0.95. */
  ratio: number;
  /** on / off throughput from the best round of each (sensitive to one lucky round). */
  bestRatio: number;
  /** Median over rounds of off / on wall time, each `on` round against the `off` round before it. */
  pairedRatio: number;
  /** off / on CPU time of the millrace process (user + system), median round of each. */
  cpuRatio: number;
  target: number;
  offMs: number[];
  onMs: number[];
  offCpuMs: number[];
  onCpuMs: number[];
  /** Over all `on` rounds: transitions the server streamed, and requests the client made. */
  clientActivity: { transitions: number; requests: number };
  /** The machine's 1-minute load average before and after: others' work makes wall times noisy. */
  loadAverage: [number, number];
}

const yaml = (records: number): string => `
sources:
  gen: { kind: generator, count: ${records}, payloadBytes: 100, keys: 16, batchSize: 1000 }
stages:
  s1: { kind: map, inputs: [gen], module: ${modulesDir}pass.mjs, export: step1 }
  s2: { kind: map, inputs: [s1], module: ${modulesDir}pass.mjs, export: step2 }
  s3: { kind: map, inputs: [s2], module: ${modulesDir}pass.mjs, export: step3 }
  s4: { kind: map, inputs: [s3], module: ${modulesDir}pass.mjs, export: step4 }
sinks:
  out: { kind: blackhole, inputs: [s4] }
`;

const silent = pino({ level: 'silent' });
const self = fileURLToPath(import.meta.url);

/**
 * The `http` client, as plain JavaScript for a bare `node` (no TypeScript loader, so nothing of
 * its start-up overlaps the timed run): it reads the SSE stream and each second scrapes /metrics
 * and polls /api/actors; on SIGTERM it prints the requests it made and its CPU time.
 */
const httpClientSource = `
const url = process.argv[1];
let requests = 0;
const events = await fetch(new URL('api/events', url));
const reader = events.body.getReader();
let failures = 0;
void (async () => { for (;;) { const { done } = await reader.read(); if (done) return; } })().catch(() => failures++);
const poll = async () => {
  await Promise.all(['metrics', 'api/actors'].map(async (path) => (await fetch(new URL(path, url))).text()));
  requests += 2;
};
await poll();
setInterval(() => void poll().catch(() => failures++), 1000);
process.once('SIGTERM', () => {
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ requests, failures, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

interface Client {
  /** Stops the client; returns the requests it made. */
  requests(): Promise<number>;
}

async function connectHttp(url: string): Promise<Client> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', httpClientSource, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`bench client exited with ${code}`)));
  });
  return {
    async requests() {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the bench client ended early:\n${out}`);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      const report = JSON.parse(out.split('\n').filter(Boolean).at(-1) ?? '{}') as { requests?: number; failures?: number };
      if ((report.failures ?? 0) > 0) throw new Error(`the bench client saw ${report.failures} failed requests`);
      return report.requests ?? 0;
    },
  };
}

async function connectBrowser(url: string): Promise<Client> {
  const { launchChromium } = await import('../test/inspect/chromium.js');
  const browser = await launchChromium();
  const page = await browser.newPage();
  let requests = 0;
  page.on('request', () => void (requests += 1));
  await page.goto(url);
  await page.locator('[data-actor][data-state]').first().waitFor();
  return {
    async requests() {
      await browser.close();
      return requests;
    },
  };
}

/** One run to the end; with a client, the inspector serves and the client follows it throughout. */
async function timedRun(records: number, client: ClientKind | undefined): Promise<{ ms: number; cpuMs: number; activity?: { transitions: number; requests: number } }> {
  const topology = await benchTopology(yaml(records));
  const feed = client === undefined ? undefined : new TransitionFeed();
  const runtime = new Runtime(topology, { log: silent, inspect: feed?.inspect });
  const inspector = feed === undefined ? undefined : await attachInspector(runtime, feed, { address: { host: '127.0.0.1', port: 0 } });
  let transitions = 0;
  feed?.subscribe(() => void (transitions += 1));
  const connected = inspector?.url === undefined || client === 'none' ? undefined : await (client === 'browser' ? connectBrowser : connectHttp)(inspector.url);
  // A client that has been following for a while: its own start-up must not overlap the timing.
  if (connected !== undefined) await new Promise((resolve) => setTimeout(resolve, 1000));
  const started = performance.now();
  const cpu = process.cpuUsage();
  await runtime.start();
  const result = await runtime.finished;
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (!result.ok) throw new Error(`bench topology failed: ${String(result.error)}`);
  const got = runtime.nodes.get('out')?.metrics.recordsIn;
  if (got !== records) throw new Error(`delivered ${got} of ${records}`);
  const requests = await connected?.requests();
  await inspector?.close();
  return { ms, cpuMs: (used.user + used.system) / 1000, activity: feed === undefined ? undefined : { transitions, requests: requests ?? 0 } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Runs the comparison; rounds alternate without and with the inspector. */
export async function runInspectBench(records = 1_000_000, rounds = 5, client: ClientKind = 'http'): Promise<InspectBenchResult> {
  const offMs: number[] = [];
  const onMs: number[] = [];
  const offCpuMs: number[] = [];
  const onCpuMs: number[] = [];
  const clientActivity = { transitions: 0, requests: 0 };
  const loadBefore = loadavg()[0] ?? 0;
  await timedRun(Math.min(records, 100_000), undefined);
  for (let i = 0; i < rounds; i++) {
    const off = await timedRun(records, undefined);
    offMs.push(off.ms);
    offCpuMs.push(off.cpuMs);
    const on = await timedRun(records, client);
    onMs.push(on.ms);
    onCpuMs.push(on.cpuMs);
    process.stderr.write(`round ${i + 1}/${rounds}: off ${Math.round(off.ms)} ms, on ${Math.round(on.ms)} ms\n`);
    clientActivity.transitions += on.activity?.transitions ?? 0;
    clientActivity.requests += on.activity?.requests ?? 0;
  }
  const perSec = (ms: number): number => Math.round((records / ms) * 1000);
  const round = (ms: number[]): number[] => ms.map((m) => Math.round(m));
  const offRecordsPerSec = perSec(median(offMs));
  const onRecordsPerSec = perSec(median(onMs));
  const bestRatio = +(Math.min(...offMs) / Math.min(...onMs)).toFixed(3);
  return { records, rounds, client, offRecordsPerSec, onRecordsPerSec, ratio: +(onRecordsPerSec / offRecordsPerSec).toFixed(3), bestRatio, pairedRatio: +median(offMs.map((off, i) => off / (onMs[i] as number))).toFixed(3), cpuRatio: +(median(offCpuMs) / median(onCpuMs)).toFixed(3), target: 0.95, offMs: round(offMs), onMs: round(onMs), offCpuMs: round(offCpuMs), onCpuMs: round(onCpuMs), clientActivity, loadAverage: [+loadBefore.toFixed(2), +(loadavg()[0] ?? 0).toFixed(2)] };
}

if (process.argv[1] === self) {
  const { values } = parseArgs({ options: { records: { type: 'string' }, rounds: { type: 'string' }, client: { type: 'string' } } });
  const client: ClientKind = values.client === 'browser' || values.client === 'none' ? values.client : 'http';
  const result = await runInspectBench(Number(values.records ?? 1_000_000), Number(values.rounds ?? 5), client);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const out = { ...result, measuredAt: new Date().toISOString(), node: process.version };
  const name = `inspect${result.client === 'http' ? '' : `-${result.client}`}${result.records === 1_000_000 ? '' : `-${result.records}`}`;
  writeFileSync(`${dir}${name}.json`, JSON.stringify(out, null, 2) + '\n');
  console.log(out);
}
