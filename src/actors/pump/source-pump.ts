import { CommitTracker } from '../../streams/commit-tracker.js';
import { EndOfInput, NotConnected, errorMessage } from '../../core/errors.js';
import type { SourceIO } from '../io.js';
import type { LifecycleEvent } from '../lifecycle.js';
import type { Ack } from '../../streams/ack.js';
import { fromSource } from '../../streams/origin.js';
import type { DeadLetters } from './dead-letters.js';
import type { Outputs } from './outputs.js';
import { pauseReporter } from './pause-reporter.js';

/**
 * Drives one source replica: read, register the batch with the commit tracker, send it
 * downstream, repeat. Commits reach the source as the highest contiguously acked position; a
 * failed ack crashes the actor so a restart resumes from the last commit (at-least-once).
 */
export class SourcePump {
  private readonly tracker: CommitTracker<unknown>;
  private running = false;
  private live = true;

  constructor(
    private readonly actor: string,
    private readonly io: SourceIO,
    private readonly outputs: Outputs,
    private readonly deadLetters: DeadLetters,
    private readonly send: (event: LifecycleEvent) => void,
  ) {
    this.tracker = new CommitTracker<unknown>(
      (position) => {
        if (this.live) void Promise.resolve(io.commit(position)).catch((e: unknown) => send({ type: 'CRASHED', error: `commit failed: ${errorMessage(e)}` }));
      },
      (_position, reason) => send({ type: 'CRASHED', error: `a batch was not delivered: ${reason}` }),
    );
  }

  get pendingBatches(): number {
    return this.tracker.pending;
  }

  /** Starts the read loop; {@link stop} ends it after the current read. */
  start(): void {
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
  }

  /**
   * Waits until every emitted batch is acked, or `timeoutMs()` has passed since the call (read
   * while waiting, so a run that starts failing meanwhile can cut the wait short); returns what is left.
   */
  async settle(timeoutMs: () => number): Promise<number> {
    const started = Date.now();
    while (this.tracker.pending > 0 && !this.tracker.failed && Date.now() < started + timeoutMs()) {
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
    }
    return this.tracker.pending;
  }

  /** After the actor has exited: commits from batches still in flight no longer reach the source. */
  retire(): void {
    this.live = false;
  }

  private async loop(): Promise<void> {
    const listener = pauseReporter(this.send);
    try {
      while (this.running) {
        const read = await this.io.read();
        // Read after a stop: not sent, so not committed; a later run reads it again.
        if (!this.running) break;
        const ack = this.tracker.begin(read.position);
        const origin = fromSource(this.actor, read.origin);
        const dead = read.dead ?? [];
        if (dead.length === 0) {
          await this.outputs.send(read.records, ack, read.label, listener, origin);
          continue;
        }
        const [pass, reject] = ack.fork(2) as [Ack, Ack];
        await Promise.all([
          this.outputs.send(read.records, pass, read.label, listener, origin),
          this.deadLetters.send(this.actor, read.label, dead, reject, origin),
        ]);
      }
    } catch (error) {
      if (!this.running) return;
      if (error instanceof EndOfInput) this.send({ type: 'END_OF_INPUT' });
      else if (error instanceof NotConnected) this.send({ type: 'DISCONNECTED', error: error.message });
      else this.send({ type: 'CRASHED', error: errorMessage(error) });
    }
  }
}
