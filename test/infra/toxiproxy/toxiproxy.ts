/**
 * A private toxiproxy (Shopify's fault-injecting TCP proxy) for tests: started per test file on
 * 127.0.0.1 and a free port, driven through its HTTP API, killed at the end.
 *
 * The binary is the path in MILLRACE_TOXIPROXY, `toxiproxy-server` on PATH, or one built here
 * from the Go module proxy into `.infra/toxiproxy/` on first use ({@link TOXIPROXY_INSTALL}).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../kit/eventually.js';
import { freePort } from '../../kit/free-port.js';
import { goToolBinary } from '../go-tool.js';

const MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server@v2.5.0';
const BUILD_DIR = fileURLToPath(new URL('../../../.infra/toxiproxy/', import.meta.url));

export const TOXIPROXY_INSTALL = `go install ${MODULE} && cp "$(go env GOPATH)/bin/server" /usr/local/bin/toxiproxy-server`;

/** The toxiproxy binary to run, or undefined when there is none and Go cannot build it. */
export function toxiproxyBinary(): string | undefined {
  // `go install` with GOBIN names the binary after its package directory: `server`.
  return goToolBinary({ env: 'MILLRACE_TOXIPROXY', command: 'toxiproxy-server', module: MODULE, buildDir: BUILD_DIR, built: 'server' });
}

/** A toxic as toxiproxy names it: latency, bandwidth, timeout, slicer, limit_data, reset_peer, ... */
export interface Toxic {
  name: string;
  type: string;
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes: Record<string, number>;
}

export class Toxiproxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly api: string,
  ) {}

  /** `apiPort`: where its HTTP API listens (default: a free port). */
  static async start(binary: string, apiPort?: number): Promise<Toxiproxy> {
    const port = apiPort ?? (await freePort());
    const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const proxy = new Toxiproxy(child, `http://127.0.0.1:${port}`);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`toxiproxy exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(`${proxy.api}/version`)).ok;
      },
      { what: `toxiproxy on 127.0.0.1:${port}`, timeoutMs: 10_000 },
    );
    return proxy;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.api}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: ${res.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  /** A proxy from 127.0.0.1:`listen` (default: a free port) to `upstream`; resolves with its port. */
  async proxy(name: string, upstream: string, listen?: number): Promise<number> {
    const port = listen ?? (await freePort());
    await this.call('POST', '/proxies', { name, listen: `127.0.0.1:${port}`, upstream, enabled: true });
    return port;
  }

  /** Disabled: every connection is cut and new ones are refused, until enabled again. */
  enable(name: string, enabled: boolean): Promise<unknown> {
    return this.call('POST', `/proxies/${name}`, { enabled });
  }

  addToxic(proxy: string, toxic: Toxic): Promise<unknown> {
    return this.call('POST', `/proxies/${proxy}/toxics`, { stream: 'downstream', toxicity: 1, ...toxic });
  }

  removeToxic(proxy: string, toxic: string): Promise<unknown> {
    return this.call('DELETE', `/proxies/${proxy}/toxics/${toxic}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
