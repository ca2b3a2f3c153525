import { join, resolve } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { databaseSinkConfig } from '../kinds/database/config.js';
import { createDatabase } from '../db/open-database.js';
import { analyse, type Report } from '../report/analysis.js';
import { renderText } from '../report/text-table.js';
import { writeReport } from '../report/write-report.js';
import type { NodeSpec, Topology } from '../topology/model.js';
import { ExitCode } from './exit-codes.js';

export interface ReportOptions {
  /** Id of the `database` sink to report on; needed only when the topology has several. */
  sink?: string;
  /** Directory for report.csv, report.json and report.html; default `<dataDir>/report`. */
  out?: string;
  /** Where the table and messages go (the process's streams by default). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** The database sink to report on, or the message saying why there is none. */
function pickSink(topology: Topology, id: string | undefined): NodeSpec | string {
  const sinks = topology.nodes.filter((n) => n.role === 'sink' && n.kind.name === 'database');
  if (id !== undefined) {
    return sinks.find((n) => n.id === id) ?? `no database sink "${id}" in ${topology.file}; database sinks: ${sinks.map((n) => n.id).join(', ') || 'none'}`;
  }
  if (sinks.length === 1) return sinks[0] as NodeSpec;
  if (sinks.length === 0) return `${topology.file} has no database sink`;
  return `${topology.file} has several database sinks (${sinks.map((n) => n.id).join(', ')}); choose one with --sink`;
}

/**
 * `millrace report`: reads the table of the topology's `database` sink, prints the per app
 * per day analysis as aligned tables and writes report.csv, report.json and report.html.
 * Exit codes: 0 done, 2 no (such) database sink, 1 the database cannot be read.
 *
 * @example
 * const code = await reportCommand(topology, { sink: 'db', out: 'out/report' });
 */
export async function reportCommand(topology: Topology, options: ReportOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const sink = pickSink(topology, options.sink);
  if (typeof sink === 'string') {
    stderr.write(`${sink}\n`);
    return ExitCode.invalid;
  }
  const config = databaseSinkConfig.parse(sink.config);
  const db = createDatabase(config.engine, config.table, { baseDir: topology.baseDir, readonly: true });
  let report: Report;
  try {
    await db.connect();
    report = await analyse(db);
  } catch (error) {
    stderr.write(`cannot read the ${config.engine.type} database of sink "${sink.id}": ${errorMessage(error)}\n`);
    return ExitCode.runtimeFailure;
  } finally {
    await db.close();
  }
  stdout.write(renderText(report));
  const files = await writeReport(report, options.out === undefined ? join(topology.dataDir, 'report') : resolve(options.out));
  stderr.write(`wrote ${files.csv}, ${files.json}, ${files.html}\n`);
  return ExitCode.ok;
}
