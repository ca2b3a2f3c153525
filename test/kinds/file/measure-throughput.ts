// Measures the `file` source in tail mode (a measurement, not a test): lines/s from a backlog (a
// file written before the topology starts) and live (lines appended by another process while it
// tails), into a blackhole sink, with the default settings. Usage:
//   node --import tsx test/kinds/file/measure-throughput.ts [lines=1000000] [lineBytes=100]
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Runtime } from '../../../src/runtime/runtime.js';
import { formatTopologyErrors, loadTopology } from '../../../src/topology/index.js';

const lines = Number(process.argv[2] ?? 1_000_000);
const lineBytes = Number(process.argv[3] ?? 100);
const CHUNK = 10_000;

/** Lines `from` .. `from + count - 1`, each `lineBytes` long with its LF. */
function block(from: number, count: number): string {
  let text = '';
  for (let i = from; i < from + count; i++) {
    const head = `line ${i} `;
    text += head + 'x'.repeat(Math.max(0, lineBytes - 1 - head.length)) + '\n';
  }
  return text;
}

/** A writer process appending every line to `file` as fast as it can, in writes of CHUNK lines. */
function writerProcess(file: string): Promise<void> {
  const script = `
    const fs = require('node:fs');
    const [file, lines, lineBytes, chunk] = process.argv.slice(1).map((a, i) => (i === 0 ? a : Number(a)));
    const fd = fs.openSync(file, 'a');
    for (let from = 0; from < lines; from += chunk) {
      let text = '';
      for (let i = from; i < Math.min(lines, from + chunk); i++) {
        const head = 'line ' + i + ' ';
        text += head + 'x'.repeat(Math.max(0, lineBytes - 1 - head.length)) + '\\n';
      }
      fs.writeSync(fd, text);
    }
    fs.closeSync(fd);`;
  const child = spawn(process.execPath, ['-e', script, file, String(lines), String(lineBytes), String(CHUNK)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`)))));
}

async function measure(name: string, feed: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-tail-bench-'));
  mkdirSync(join(dir, 'logs'));
  const file = join(dir, 'logs', 'app.log');
  writeFileSync(file, '');
  const topology = join(dir, 'topology.yaml');
  writeFileSync(topology, 'sources:\n  src: { kind: file, mode: tail, paths: ["logs/*.log"] }\nsinks:\n  out: { kind: blackhole, inputs: [src] }\n');
  const loaded = await loadTopology(topology);
  if (!loaded.ok) throw new Error(formatTopologyErrors(loaded.errors));
  if (name === 'backlog') for (let from = 0; from < lines; from += CHUNK) appendFileSync(file, block(from, Math.min(CHUNK, lines - from)));
  const runtime = new Runtime(loaded.topology, { log: pino({ level: 'warn' }) });
  const started = performance.now();
  await runtime.start();
  const fed = feed(file);
  const out = runtime.nodes.get('out');
  while ((out?.metrics.recordsIn ?? 0) < lines) await new Promise((r) => setTimeout(r, 2));
  const seconds = (performance.now() - started) / 1000;
  await fed;
  await runtime.stop();
  const rate = Math.round(lines / seconds);
  console.log(`${name}: ${lines} lines of ${lineBytes} B in ${seconds.toFixed(2)} s = ${rate} lines/s (${((lines * lineBytes) / seconds / 1e6).toFixed(1)} MB/s)`);
}

await measure('backlog', async () => undefined);
await measure('live', writerProcess);
