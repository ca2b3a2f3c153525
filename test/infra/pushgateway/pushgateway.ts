/**
 * A private Prometheus Pushgateway for tests: the real one, started per test file on 127.0.0.1 and
 * a free port, killed at the end. The binary is the path in MILLRACE_PUSHGATEWAY, `pushgateway`
 * on PATH, or one built here from the Go module proxy into `.infra/pushgateway/` on first use
 * ({@link PUSHGATEWAY_INSTALL}).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../kit/eventually.js';
import { freePort } from '../../kit/free-port.js';
import { goToolBinary } from '../go-tool.js';

const MODULE = 'github.com/prometheus/pushgateway@v1.11.5';
const BUILD_DIR = fileURLToPath(new URL('../../../.infra/pushgateway/', import.meta.url));

export const PUSHGATEWAY_INSTALL = `go install ${MODULE} && cp "$(go env GOPATH)/bin/pushgateway" /usr/local/bin/`;

/** The pushgateway binary to run, or undefined when there is none and Go cannot build it. */
export function pushgatewayBinary(): string | undefined {
  return goToolBinary({ env: 'MILLRACE_PUSHGATEWAY', command: 'pushgateway', module: MODULE, buildDir: BUILD_DIR, built: 'pushgateway' });
}

export class Pushgateway {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** Starts one on `port` (default: a free one). */
  static async start(binary: string, port?: number): Promise<Pushgateway> {
    port ??= await freePort();
    const child = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const gateway = new Pushgateway(child, `http://127.0.0.1:${port}`);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`pushgateway exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(`${gateway.url}/-/ready`)).ok;
      },
      { what: `pushgateway on 127.0.0.1:${port}`, timeoutMs: 15_000 },
    );
    return gateway;
  }

  /** The series the gateway exposes for `job`, as `name{labels} value` lines (sorted, push bookkeeping left out). */
  async series(job: string): Promise<string[]> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.includes(`job="${job}"`) && !/^push_(time|failure_time)_seconds/.test(l))
      .sort();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
