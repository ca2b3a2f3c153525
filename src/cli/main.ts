// First: sets the native allocator's options before any native module loads.
import '../core/native-allocator.js';
import { parseArgs } from 'node:util';
import { loadTopology } from '../topology/load.js';
import { formatTopologyErrors } from '../topology/errors.js';
import { toDot, toMermaid } from '../topology/graph.js';
import { toSvg } from '../authoring/graph-svg.js';
import type { Topology } from '../topology/model.js';
import { ExitCode } from './exit-codes.js';
import { reportCommand } from './report-command.js';
import { inspectCommand } from './inspect-commands.js';
import { runClusterTop } from './cluster-top.js';
import { inspectOptions, withOptionalInspectValue } from './inspect-options.js';
import { runTopology } from './run-command.js';
import { testCommand } from './test-command.js';
import { sampleCommand } from './sample-command.js';
import { streamsCommand } from './streams-command.js';
import { dispatchCommand } from './dispatch-command.js';
import { qualityCommand } from './quality-command.js';

const usage = `usage: millrace <command> [options]

commands:
  run <topology.yaml>        run a topology until its sources end or SIGINT/SIGTERM
      --inspect [host:port]  serve the inspector: web page, JSON API, /metrics, /health
                             (default 127.0.0.1:9464; other addresses need a token)
      --inspect-token <t>    bearer token the inspector requires (or MILLRACE_INSPECT_TOKEN)
      --inspect-record <f>   append every transition and a metrics frame per second to <f>
  top [--url <inspector>] [--once]
                             live table of a running topology's actors (q quits)
  top --cluster <topology.yaml> [--once]
                             the processes running the topology (its coordination.zookeeper),
                             each with its state and rates from its inspector
  tap <actor> [--limit N] [--rate R] [--url <inspector>]
                             print records leaving an actor as JSON lines (sampled)
  inspect --replay <recording> [--inspect host:port]
                             serve the inspector over a recording, with a time slider
  validate <topology.yaml>   check a topology; prints every error with file:line:column
  graph <topology.yaml> [--format mermaid|dot|svg]
                             print the topology as a Mermaid (default) or Graphviz graph, or a
                             self-contained SVG drawing
  test <topology.yaml> <cases.yaml>
                             run config unit tests against the topology's real stages
                             (exit 0 all pass, 1 some fail, 2 invalid files)
  sample [--dir data/sample] [--files N] [--if-missing]
                             write sample compressed log files and MANIFEST.json (expected counts)
  streams <add|list|show|update|disable|remove> [id] [--registry data/streams.db] ...
                             edit the stream registry a gateway serves (millrace streams --help);
                             streams serve: its HTTP API
  dispatch [--registry data/streams.db] [--brokers h:p] [--once]
                             one dispatch job per active stream: its topic -> its sinks, following
                             the registry's changes (millrace dispatch --help)
  quality [stream] [--registry data/streams.db] [--json]
                             per stream and minute: received, delivered, lost, duplicated, latency
                             (millrace quality --help)
  report <topology.yaml> [--sink <id>] [--out <dir>]
                             analyse the database sink's table per app and day: prints a table,
                             writes report.csv/.json/.html to --out (default <dataDir>/report)

exit codes: 0 ok, 1 runtime failure, 2 invalid usage, topology or setting, 3 drain deadline passed, 130 forced exit
`;

async function load(file: string | undefined): Promise<Topology | number> {
  if (file === undefined) {
    process.stderr.write(usage);
    return ExitCode.invalid;
  }
  const result = await loadTopology(file);
  if (!result.ok) {
    process.stderr.write(formatTopologyErrors(result.errors) + '\n');
    return ExitCode.invalid;
  }
  return result.topology;
}

async function main(argv: string[]): Promise<number> {
  // Its options are its own (the stream settings): parsed by the command.
  if (argv[0] === 'streams') return streamsCommand(argv.slice(1));
  if (argv[0] === 'dispatch') return dispatchCommand(argv.slice(1));
  if (argv[0] === 'quality') return qualityCommand(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: withOptionalInspectValue(argv),
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'mermaid' },
      sink: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      inspect: { type: 'string' },
      'inspect-token': { type: 'string' },
      'inspect-record': { type: 'string' },
      url: { type: 'string' },
      once: { type: 'boolean' },
      limit: { type: 'string' },
      rate: { type: 'string' },
      replay: { type: 'string' },
      dir: { type: 'string' },
      files: { type: 'string' },
      'if-missing': { type: 'boolean' },
      cluster: { type: 'string' },
    },
  });
  const [command, file] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(usage);
    return values.help ? ExitCode.ok : ExitCode.invalid;
  }
  switch (command) {
    case 'run': {
      const inspect = inspectOptions(values);
      if (inspect !== undefined && 'error' in inspect) {
        process.stderr.write(`${inspect.error}\n`);
        return ExitCode.invalid;
      }
      const topology = await load(file);
      return typeof topology === 'number' ? topology : runTopology(topology, inspect);
    }
    case 'top':
      if (values.cluster !== undefined) {
        const topology = await load(values.cluster);
        return typeof topology === 'number' ? topology : runClusterTop(topology, values['inspect-token'] ?? process.env.MILLRACE_INSPECT_TOKEN, values.once === true);
      }
      return inspectCommand(command, file, values);
    case 'tap':
    case 'inspect':
      return inspectCommand(command, file, values);
    case 'validate': {
      const topology = await load(file);
      if (typeof topology === 'number') return topology;
      const replicas = new Map(topology.nodes.map((n) => [n.id, n.replicas]));
      const order = topology.order.map((id) => ((replicas.get(id) ?? 1) > 1 ? `${id} ×${replicas.get(id)}` : id));
      // A long topology shows its start and end: the whole order of 100k actors is a megabyte.
      const shown = order.length > 12 ? [...order.slice(0, 10), `… ${order.length - 11} more`, ...order.slice(-1)] : order;
      process.stdout.write(`${file}: ok (${topology.nodes.length} actors: ${shown.join(' → ')})\n`);
      return ExitCode.ok;
    }
    case 'graph': {
      const topology = await load(file);
      if (typeof topology === 'number') return topology;
      if (values.format === 'svg') {
        process.stdout.write(toSvg(topology));
        return ExitCode.ok;
      }
      if (values.format !== 'mermaid' && values.format !== 'dot') {
        process.stderr.write(`unknown --format ${values.format}; expected mermaid, dot or svg\n`);
        return ExitCode.invalid;
      }
      process.stdout.write((values.format === 'dot' ? toDot(topology) : toMermaid(topology)) + '\n');
      return ExitCode.ok;
    }
    case 'test':
      return testCommand(file, positionals[2]);
    case 'report': {
      const topology = await load(file);
      return typeof topology === 'number' ? topology : reportCommand(topology, { sink: values.sink, out: values.out });
    }
    case 'sample':
      return sampleCommand({ dir: values.dir, files: values.files, ifMissing: values['if-missing'] });
    default:
      process.stderr.write(`unknown command "${command}"\n\n${usage}`);
      return ExitCode.invalid;
  }
}

/** How long the process may linger after a command finished (open sockets, timers a kind left behind). */
const LINGER_MS = 5000;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Actors still draining are abandoned, not waited for: what they hold was never acknowledged.
    if (code === ExitCode.drainDeadline) process.exit(code);
    // Whatever a kind left open must not keep a finished run alive: exit anyway, with its code.
    setTimeout(() => {
      process.stderr.write(`millrace: handles still open ${LINGER_MS} ms after the command finished; exiting with code ${code}\n`);
      process.exit(code);
    }, LINGER_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(`millrace: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ExitCode.runtimeFailure;
  },
);
