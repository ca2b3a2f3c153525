import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Bytes on the wire through one listening port, counted by the kernel's TCP sockets (`ss -ti`):
 * bytes received from and acknowledged to each client connection, both directions summed. Sampled
 * every `everyMs`; a connection that closes between two samples loses its bytes since the last
 * one (the links measured here keep their connections open).
 */
export class WireCounter {
  private readonly perConnection = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: number,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    const tick = (): void => {
      this.sampling = this.sample().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.everyMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops sampling after one last sample; resolves with the bytes counted. */
  async stop(): Promise<number> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sampling;
    await this.sample();
    return [...this.perConnection.values()].reduce((a, b) => a + b, 0);
  }

  private async sample(): Promise<void> {
    const { stdout } = await run('ss', ['-tinH', 'state', 'established', `( sport = :${this.port} )`]);
    let peer: string | undefined;
    for (const line of stdout.split('\n')) {
      const head = /^\S*\s*\d+\s+\d+\s+(\S+)\s+(\S+)/.exec(line);
      if (head !== null) {
        peer = head[2];
        continue;
      }
      if (peer === undefined) continue;
      const acked = Number(/bytes_acked:(\d+)/.exec(line)?.[1] ?? 0);
      const received = Number(/bytes_received:(\d+)/.exec(line)?.[1] ?? 0);
      this.perConnection.set(peer, Math.max(this.perConnection.get(peer) ?? 0, acked + received));
      peer = undefined;
    }
  }
}
