import { mergeMap, type Subscription } from 'rxjs';
import type { Batch } from '../../streams/batch.js';
import type { Channel, Lease } from '../../streams/channel.js';
import { fromChannel } from '../../streams/from-channel.js';
import { NotConnected, errorMessage } from '../../core/errors.js';
import type { DeadRecord } from '../io.js';
import type { LifecycleEvent } from '../lifecycle.js';
import type { DeadLetters } from './dead-letters.js';

/** What a stage or sink does with one batch; it settles (a fork of) `batch.ack` itself. */
export type BatchHandler = (batch: Batch) => Promise<void>;

export interface ConsumeOptions {
  actor: string;
  input: Channel;
  /** Batches this replica works on at once. */
  concurrency: number;
  maxAttempts: number;
  deadLetters: DeadLetters;
  handle: BatchHandler;
  send: (event: LifecycleEvent) => void;
}

/**
 * Drives one stage or sink replica: batches flow from the input channel through RxJS with
 * bounded demand into the kind's handler. A batch whose handler throws goes back to the head of
 * the channel for another replica (a crash counts an attempt, a lost connection does not); a
 * batch that has used up its attempts is dead-lettered with the last error instead of retried.
 */
export class ConsumePump {
  private subscription: Subscription | undefined;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private failed = false;

  constructor(private readonly o: ConsumeOptions) {}

  /** Starts pulling; called again after a reconnect, so it clears the previous failure. */
  start(): void {
    this.failed = false;
    this.subscription = fromChannel(this.o.input, this.o.concurrency)
      .pipe(mergeMap((lease) => this.onLease(lease), this.o.concurrency))
      .subscribe({
        complete: () => {
          if (!this.failed) this.o.send({ type: 'END_OF_INPUT' });
        },
      });
  }

  /** Takes no more batches; batches already taken finish (see {@link settle}). */
  stop(): void {
    this.subscription?.unsubscribe();
  }

  /** Resolves when no batch is in flight on this replica. */
  settle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async onLease(lease: Lease): Promise<void> {
    if (this.failed) {
      lease.requeue();
      return;
    }
    this.inflight += 1;
    const batch = lease.batch;
    try {
      if (batch.attempts >= this.o.maxAttempts) {
        const reason = `gave up after ${batch.attempts} attempts: ${batch.lastError ?? 'unknown error'}`;
        const dead: DeadRecord[] = batch.records.map((record) => ({ record, reason }));
        await this.o.deadLetters.send(this.o.actor, batch.position, dead, batch.ack, batch.origin);
      } else {
        await this.o.handle(batch);
      }
      lease.release();
    } catch (error) {
      this.failed = true;
      this.stop();
      const message = errorMessage(error);
      if (error instanceof NotConnected) {
        lease.requeue();
        this.o.send({ type: 'DISCONNECTED', error: message });
      } else {
        batch.attempts += 1;
        batch.lastError = message;
        lease.requeue();
        this.o.send({ type: 'CRASHED', error: message });
      }
    } finally {
      this.inflight -= 1;
      if (this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}
