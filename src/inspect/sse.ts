import type { ServerResponse } from 'node:http';

/** How long events wait to be written together, and how much a slow client may fall behind. */
const flushMs = 50;
const heartbeatMs = 15_000;
const maxBufferedBytes = 1 << 20;

/**
 * One Server-Sent Events response. Events are coalesced into one socket write every 50 ms, so a
 * burst of transitions costs one syscall; a client that falls more than 1 MiB behind loses events
 * (counted, and announced with a `gap` event) instead of growing the server's memory.
 *
 * @example
 * const stream = new SseStream(res);
 * const stop = feed.subscribe((t) => stream.send('transition', t));
 * stream.onClose(stop);
 */
export class SseStream {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private dropped = 0;
  private done = false;
  private readonly closers: (() => void)[] = [];

  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.heartbeat = setInterval(() => this.res.write(': ping\n\n'), heartbeatMs);
    this.heartbeat.unref();
    res.on('close', () => this.finish());
  }

  get closed(): boolean {
    return this.done;
  }

  /** Queues one event; it is written within 50 ms. */
  send(event: string, data: unknown): void {
    if (this.done) return;
    if (this.res.writableLength > maxBufferedBytes) {
      this.dropped += 1;
      return;
    }
    if (this.dropped > 0) {
      this.pending += `event: gap\ndata: {"dropped":${this.dropped}}\n\n`;
      this.dropped = 0;
    }
    this.pending += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.timer ??= setTimeout(() => this.flush(), flushMs);
  }

  /** Runs `fn` once the stream ends, whoever ends it. */
  onClose(fn: () => void): void {
    if (this.done) fn();
    else this.closers.push(fn);
  }

  /** Writes what is queued and ends the response. */
  close(): void {
    if (this.done) return;
    this.flush();
    this.res.end();
    this.finish();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.pending === '' || this.done) return;
    this.res.write(this.pending);
    this.pending = '';
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.heartbeat);
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const fn of this.closers.splice(0)) fn();
  }
}
