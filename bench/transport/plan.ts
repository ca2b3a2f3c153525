/** The collection one run of the transport benchmark sets up: agents, their streams, the collector's port. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMeasured, type Measured } from '../peers/measure.js';

export interface BenchStream {
  id: string;
  /** The stream's Kafka topic (created beforehand). */
  topic: string;
  /** The log file the stream's application writes, tailed by its agent. */
  file: string;
}

export interface TiersPlan {
  /** A fresh directory for this run's configs, state and logs. */
  dir: string;
  brokers: string[];
  /** The streams of each agent, one agent per entry. */
  agents: BenchStream[][];
  /** The collector's (gateway's) port, free on 127.0.0.1. */
  port: number;
}

/** Starts a collection: writes its configs under plan.dir and returns the measured process tree. */
export type TiersRunner = (plan: TiersPlan) => Measured;

const TIERS_SH = fileURLToPath(new URL('./tiers.sh', import.meta.url));

/** Runs `collector` and then, once plan.port accepts connections, every agent, as one measured tree. */
export function startTiers(plan: TiersPlan, collector: readonly string[], agents: (readonly string[])[]): Measured {
  const script = (name: string, argv: readonly string[]): string => {
    const file = join(plan.dir, `${name}.sh`);
    const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    writeFileSync(file, `exec ${quoted} >>'${join(plan.dir, `${name}.log`)}' 2>&1\n`);
    return file;
  };
  const scripts = agents.map((argv, i) => script(`agent-${i}`, argv));
  return startMeasured('bash', [TIERS_SH, String(plan.port), script('collector', collector), ...scripts], { cwd: plan.dir, logFile: join(plan.dir, 'tiers.log') });
}
