/**
 * Cost of the inspector: the pass-through topology (generator 1M × 100 B → 4 map stages →
 * blackhole) with `--inspect` on and a client connected, against the same run without.
 *
 *   node --import tsx bench/inspect.ts [--records 1000000] [--rounds 5] [--client http|browser]
 *
 * The `http` client (default) is a separate process that follows the live transition stream
 * (SSE) and, each second, scrapes /metrics and polls /api/actors like the web page does. The
 * `browser` client is the web page itself in headless Chromium. Rounds alternate off/on; the best
 * wall time of each is compared (`ratio`), and the median CPU time of the millrace process
 * (`cpuRatio`, steadier on a shared machine). Writes bench/results/inspect.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readEvents } from '../src/cli/inspect-client.js';
import { attachInspector } from '../src/inspect/attach.js';
import { TransitionFeed } from '../src/inspect/transitions.js';
import { Runtime } from '../src/runtime/runtime.js';
import { benchTopology, modulesDir } from './bench-topology.js';

export interface InspectBenchResult {
  records: number;
  rounds: number;
  client: 'http' | 'browser';
  offRecordsPerSec: number;
  onRecordsPerSec: number;
  /** on / off throughput, best round of each; the target is at least 0.95. */
  ratio: number;
  /** off / on CPU time of the millrace process (user + system), median round of each. */
  cpuRatio: number;
  target: number;
  offMs: number[];
  onMs: number[];
  offCpuMs: number[];
  onCpuMs: number[];
  /** What the client saw over all `on` rounds: transitions streamed and requests made. */
  clientActivity: { transitions: number; requests: number };
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

/** The `http` client: SSE stream plus a /metrics scrape and an /api/actors poll each second. */
async function httpClient(url: string): Promise<void> {
  let transitions = 0;
  let requests = 0;
  const abort = new AbortController();
  process.once('SIGTERM', () => {
    abort.abort();
    process.stdout.write(JSON.stringify({ transitions, requests }) + '\n');
    process.exit(0);
  });
  const poll = async (): Promise<void> => {
    await Promise.all(['metrics', 'api/actors'].map(async (path) => (await fetch(new URL(path, url))).text()));
    requests += 2;
  };
  const stream = readEvents({ url }, 'api/events', () => void (transitions += 1), abort.signal);
  await poll();
  process.stdout.write('ready\n');
  setInterval(() => void poll(), 1000);
  await stream;
}

interface Client {
  activity(): Promise<{ transitions: number; requests: number }>;
}

async function connectHttp(url: string): Promise<Client> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', self, '--serve-client', url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`bench client exited with ${code}`)));
  });
  return {
    async activity() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(out.split('\n').filter(Boolean).at(-1) ?? '{}') as { transitions: number; requests: number };
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
    async activity() {
      await browser.close();
      return { transitions: -1, requests };
    },
  };
}

/** One run to the end; with a client, the inspector serves and the client follows it throughout. */
async function timedRun(records: number, client: 'http' | 'browser' | undefined): Promise<{ ms: number; cpuMs: number; activity?: { transitions: number; requests: number } }> {
  const topology = await benchTopology(yaml(records));
  const feed = client === undefined ? undefined : new TransitionFeed();
  const runtime = new Runtime(topology, { log: silent, inspect: feed?.inspect });
  const inspector = feed === undefined ? undefined : await attachInspector(runtime, feed, { address: { host: '127.0.0.1', port: 0 } });
  const connected = inspector?.url === undefined ? undefined : await (client === 'browser' ? connectBrowser : connectHttp)(inspector.url);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await runtime.start();
  const result = await runtime.finished;
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (!result.ok) throw new Error(`bench topology failed: ${String(result.error)}`);
  const got = runtime.nodes.get('out')?.metrics.recordsIn;
  if (got !== records) throw new Error(`delivered ${got} of ${records}`);
  const activity = await connected?.activity();
  await inspector?.close();
  return { ms, cpuMs: (used.user + used.system) / 1000, activity };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Runs the comparison; rounds alternate without and with the inspector. */
export async function runInspectBench(records = 1_000_000, rounds = 5, client: 'http' | 'browser' = 'http'): Promise<InspectBenchResult> {
  const offMs: number[] = [];
  const onMs: number[] = [];
  const offCpuMs: number[] = [];
  const onCpuMs: number[] = [];
  const clientActivity = { transitions: 0, requests: 0 };
  await timedRun(Math.min(records, 100_000), undefined);
  for (let i = 0; i < rounds; i++) {
    const off = await timedRun(records, undefined);
    offMs.push(off.ms);
    offCpuMs.push(off.cpuMs);
    const on = await timedRun(records, client);
    onMs.push(on.ms);
    onCpuMs.push(on.cpuMs);
    clientActivity.transitions += on.activity?.transitions ?? 0;
    clientActivity.requests += on.activity?.requests ?? 0;
  }
  const perSec = (ms: number[]): number => Math.round((records / Math.min(...ms)) * 1000);
  const round = (ms: number[]): number[] => ms.map((m) => Math.round(m));
  const offRecordsPerSec = perSec(offMs);
  const onRecordsPerSec = perSec(onMs);
  return { records, rounds, client, offRecordsPerSec, onRecordsPerSec, ratio: +(onRecordsPerSec / offRecordsPerSec).toFixed(3), cpuRatio: +(median(offCpuMs) / median(onCpuMs)).toFixed(3), target: 0.95, offMs: round(offMs), onMs: round(onMs), offCpuMs: round(offCpuMs), onCpuMs: round(onCpuMs), clientActivity };
}

if (process.argv[1] === self) {
  const { values } = parseArgs({ options: { records: { type: 'string' }, rounds: { type: 'string' }, client: { type: 'string' }, 'serve-client': { type: 'string' } } });
  if (values['serve-client'] !== undefined) await httpClient(values['serve-client']);
  else {
    const result = await runInspectBench(Number(values.records ?? 1_000_000), Number(values.rounds ?? 5), values.client === 'browser' ? 'browser' : 'http');
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const out = { ...result, measuredAt: new Date().toISOString(), node: process.version };
    writeFileSync(`${dir}inspect${result.client === 'browser' ? '-browser' : ''}.json`, JSON.stringify(out, null, 2) + '\n');
    console.log(out);
  }
}
