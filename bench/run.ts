import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAgentBench } from './agent.js';
import { cdcOptionsFromArgs, runCdcBench } from './cdc.js';
import { runDispatchBench } from './dispatch.js';
import { runEmbeddedLogBench } from './embedded-log.js';
import { runGatewayBench } from './gateway.js';
import { runGrpcCallsBench } from './grpc-calls.js';
import { runHiveBench } from './hive.js';
import { runInspectBench } from './inspect.js';
import { runKafkaBench } from './kafka.js';
import { mirrorOptionsFromArgs, runMirrorBench } from './mirror.js';
import { runOpenSearchBench } from './opensearch.js';
import { runPackedRecordsBench } from './packed-records.js';
import { runPassthroughBench } from './passthrough.js';
import { peersOptionsFromArgs, runPeersBench } from './peers.js';
import { runPipelineBench } from './pipeline.js';
import { runReportBench } from './report.js';
import { runScaleBench } from './scale.js';
import { runSlowPartitionsBench } from './slow-partitions.js';
import { runStalledSinkBench } from './stalled-sink.js';
import { runTransportBench, transportOptionsFromArgs } from './transport.js';
import { arg } from './standalone.js';
import { runValidateBench } from './validate.js';

type Result = Record<string, unknown>;

/**
 * Every benchmark `npm run bench` runs; `npm run bench -- <name>...` runs some. `--bounds` adds
 * the pipeline's bounds (parse floor, SQLite insert ceiling; minutes more a round).
 */
const benches: Record<string, () => Promise<Result>> = {
  passthrough: () => runPassthroughBench() as unknown as Promise<Result>,
  'stalled-sink': () => runStalledSinkBench(30) as unknown as Promise<Result>,
  pipeline: () => runPipelineBench({ bounds: process.argv.includes('--bounds') }) as unknown as Promise<Result>,
  'embedded-log': () => runEmbeddedLogBench() as unknown as Promise<Result>,
  kafka: () => runKafkaBench() as unknown as Promise<Result>,
  inspect: () => runInspectBench() as unknown as Promise<Result>,
  peers: () => runPeersBench(peersOptionsFromArgs()) as unknown as Promise<Result>,
  validate: () => runValidateBench(),
  scale: () => runScaleBench(),
  report: () => runReportBench(),
  'packed-records': async () => runPackedRecordsBench() as unknown as Result,
  agent: () => runAgentBench() as unknown as Promise<Result>,
  gateway: () => runGatewayBench() as unknown as Promise<Result>,
  'grpc-calls': () => runGrpcCallsBench(),
  opensearch: () => runOpenSearchBench() as unknown as Promise<Result>,
  'slow-partitions': () => runSlowPartitionsBench(),
  hive: () => runHiveBench(),
  dispatch: () => runDispatchBench(),
  cdc: () => runCdcBench(cdcOptionsFromArgs()) as unknown as Promise<Result>,
  transport: () => runTransportBench(transportOptionsFromArgs()) as unknown as Promise<Result>,
  mirror: () => runMirrorBench(mirrorOptionsFromArgs()),
};

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
mkdirSync(resultsDir, { recursive: true });
const rows: string[][] = [['benchmark', 'result']];
for (const name of names) {
  const bench = benches[name];
  if (bench === undefined) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
  process.stderr.write(`running ${name}...\n`);
  const result = { ...(await bench()), measuredAt: new Date().toISOString(), node: process.version };
  // `--results=<file>` (peers, with one benchmark named) puts the result there instead of over the last full run's.
  writeFileSync(arg('results') ?? `${resultsDir}${name}.json`, JSON.stringify(result, null, 2) + '\n');
  rows.push([name, Object.entries(result).map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(' ')]);
}
const width = Math.max(...rows.map((r) => r[0]!.length));
process.stdout.write(rows.map((r) => `${r[0]!.padEnd(width)}  ${r[1]}`).join('\n') + '\n');
