import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { formatTopologyErrors } from '../src/topology/errors.js';
import { loadTopology } from '../src/topology/load.js';
import type { Topology } from '../src/topology/model.js';

/** What the pipeline ends in: the default topology's database, or a blackhole in its place. */
export type PipelineSinkMode = 'database' | 'parse-only';

/** The default topology the benchmark measures, so tuning it is what gets measured. */
export const defaultTopologyFile = fileURLToPath(new URL('../topology.yaml', import.meta.url));

type Doc = Record<string, unknown>;

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function section(doc: Doc, name: string): Doc {
  const value = doc[name];
  if (!isDoc(value)) throw new Error(`the topology has no ${name} section`);
  return value;
}

/**
 * topology.yaml (or `file`, a variant to compare) rewritten to run on the benchmark's sample: every local cluster root points at
 * the sample directory's root of the same name (`hdfs-a`...), state and the SQLite file go to
 * `workDir`, and with `parse-only` every database sink becomes a blackhole on the same inputs.
 *
 * @example
 * benchYaml('/repo/.bench-data/pipeline', '/tmp/run-1', 'database');
 */
export function benchYaml(sampleDir: string, workDir: string, mode: PipelineSinkMode, file = defaultTopologyFile): string {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (!isDoc(doc)) throw new Error(`${file} is not a YAML mapping`);
  doc.name = `bench-${mode}`;
  doc.dataDir = join(workDir, 'state');
  let clusters = 0;
  for (const source of Object.values(section(doc, 'sources'))) {
    if (!isDoc(source) || source.kind !== 'hdfs' || !Array.isArray(source.clusters)) continue;
    for (const cluster of source.clusters as unknown[]) {
      if (!isDoc(cluster) || !isDoc(cluster.backend) || cluster.backend.type !== 'local') continue;
      cluster.backend.dir = join(sampleDir, basename(String(cluster.backend.dir)));
      clusters += 1;
    }
  }
  if (clusters === 0) throw new Error(`${file} has no hdfs source over local directories`);
  const sinks = section(doc, 'sinks');
  let databases = 0;
  for (const [id, sink] of Object.entries(sinks)) {
    if (!isDoc(sink) || sink.kind !== 'database') continue;
    databases += 1;
    sinks[id] =
      mode === 'database'
        ? { ...sink, engine: { ...(isDoc(sink.engine) ? sink.engine : {}), type: 'sqlite', path: join(workDir, `${id}.db`) } }
        : { kind: 'blackhole', inputs: sink.inputs };
  }
  if (databases === 0) throw new Error(`${file} has no database sink`);
  return stringify(doc);
}

/** Writes {@link benchYaml} to `workDir/topology.yaml` and loads it, failing loudly on errors. */
export async function loadBenchTopology(sampleDir: string, workDir: string, mode: PipelineSinkMode, from = defaultTopologyFile): Promise<Topology> {
  const file = join(workDir, 'topology.yaml');
  writeFileSync(file, benchYaml(sampleDir, workDir, mode, from));
  const result = await loadTopology(file);
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

/** The SQLite files of the database sinks of a loaded topology. */
export function databaseFiles(topology: Topology): string[] {
  return topology.nodes.flatMap((n) => {
    const engine = n.kind.name === 'database' ? n.config.engine : undefined;
    return isDoc(engine) && engine.type === 'sqlite' && typeof engine.path === 'string' ? [resolve(topology.baseDir, engine.path)] : [];
  });
}
