import { SupervisionRun, type RunOwner } from './run.js';
import type {
  ChildExit,
  ChildSpec,
  RestartType,
  SupervisorEvent,
  SupervisorOptions,
} from './types.js';

export type { SupervisorEvent, SupervisorOptions } from './types.js';

/**
 * An Erlang/OTP-style supervisor with Akka-style backoff. Children are started
 * in order and stopped in reverse order, each awaited; their exits are handled
 * one at a time, like messages in the supervisor's mailbox.
 *
 * **Restart types.** `permanent` children are always restarted, whatever the
 * exit reason; `transient` children only after an abnormal exit (`'error'`);
 * `temporary` children never, and are dropped once they end. A child that
 * exits because the supervisor stopped it is never restarted. A child whose
 * `start()` rejects (or throws) has crashed with reason `'error'`.
 *
 * **Strategies.** `one_for_one` restarts only the failed child. `one_for_all`
 * stops every other child (reverse order) and restarts all (in order).
 * `rest_for_one` stops the children started after the failed one (reverse
 * order) and restarts it and them (in order). As in OTP, a group restart also
 * starts group members that had ended without being restarted (a transient
 * child that exited normally), while temporary members are stopped and dropped.
 * A child that is not restarted never affects its siblings. A member that dies
 * while its group is being restarted is absorbed into that restart, as OTP
 * flushes the `'EXIT'` of a child it terminates.
 *
 * **Intensity.** Every restart decision is recorded in a sliding window of
 * `intensity.periodMs` (a group restart counts once). When the window holds
 * more than `intensity.maxRestarts` restarts, the supervisor does not restart:
 * it stops all its children (reverse order), emits `supervisor.escalated` and
 * its `exited` resolves with `{ reason: 'error', error }` where `error` is a
 * `RestartIntensityExceeded` whose `cause` is the last child's error. Its
 * parent sees that as a crash of the child returned by {@link asChild}.
 *
 * **Backoff.** A restart waits `backoffDelay(n)` (global `setTimeout`) where `n`
 * is the failed child's count of consecutive restarts, 0-based; `n` returns to
 * 0 once the child has run `backoff.resetAfterMs` (measured with `Date.now()`)
 * before failing. A group restart waits the failed child's delay; pending
 * restarts that the group covers are merged into it.
 *
 * **Lifecycle.** `start()` never rejects and `stop()` cancels pending restarts:
 * no restart happens after it is called. After `exited` has resolved the
 * supervisor may be started again: a fresh incarnation with a new `exited`, an
 * empty intensity window and fresh backoff, while {@link restarts} keeps
 * counting. This is how a parent restarts a child supervisor.
 *
 * Events: `child.started.attempt` is the child's total restarts when it
 * started (0 at first); `child.restart.scheduled.restarts` is the new total,
 * counted when the restart is decided; `child.exited` reports every exit,
 * including the ones the supervisor caused.
 *
 * @example
 * const worker: ChildSpec = { id: 'worker', restart: 'permanent', start: startWorker };
 * const sup = new Supervisor('pipeline', [worker], {
 *   strategy: 'one_for_one',
 *   intensity: { maxRestarts: 5, periodMs: 60_000 },
 *   backoff: { minMs: 100, maxMs: 30_000, jitter: 0.2, resetAfterMs: 60_000 },
 *   onEvent: (e) => logger.info(e),
 * });
 * await sup.start();
 * // ... or supervise it: new Supervisor('root', [sup.asChild()], options)
 * const exit = await sup.exited; // { reason: 'error' } once the intensity is exceeded
 * await sup.stop();
 */
export class Supervisor {
  private run: SupervisionRun;
  private readonly totals = new Map<string, number>();
  private readonly owner: RunOwner;

  constructor(
    readonly id: string,
    private readonly children: ChildSpec[],
    private readonly options: SupervisorOptions,
  ) {
    const seen = new Set<string>();
    for (const child of children) {
      if (seen.has(child.id))
        throw new Error(`supervisor '${id}': duplicate child id '${child.id}'`);
      seen.add(child.id);
      this.totals.set(child.id, 0);
    }
    this.owner = {
      id,
      options,
      countRestart: (child) => {
        const total = (this.totals.get(child) ?? 0) + 1;
        this.totals.set(child, total);
        return total;
      },
      restarts: (child) => this.totals.get(child) ?? 0,
      emit: (event) => this.emit(event),
    };
    this.run = new SupervisionRun(this.owner, this.children);
  }

  /** Resolves when the current incarnation ends: `'shutdown'` after `stop()`, `'error'` on escalation. */
  get exited(): Promise<ChildExit> {
    return this.run.exited;
  }

  /** Starts the children in order, each awaited. Idempotent while running. Never rejects. */
  async start(): Promise<void> {
    await this.startRun();
  }

  /** Stops the children in reverse order, each awaited; no restart happens once called. */
  stop(): Promise<void> {
    return this.run.stop();
  }

  /** This supervisor as a child of another one; its escalation is a crash (`reason: 'error'`). */
  asChild(restart: RestartType = 'permanent'): ChildSpec {
    return {
      id: this.id,
      restart,
      start: async () => {
        const run = await this.startRun();
        return { exited: run.exited, stop: () => run.stop() };
      },
    };
  }

  /** Total restarts of the child `childId` so far, across incarnations. */
  restarts(childId: string): number {
    const total = this.totals.get(childId);
    if (total === undefined)
      throw new RangeError(`supervisor '${this.id}' has no child '${childId}'`);
    return total;
  }

  private async startRun(): Promise<SupervisionRun> {
    if (this.run.state === 'terminating') await this.run.exited;
    if (this.run.state === 'exited') this.run = new SupervisionRun(this.owner, this.children);
    const run = this.run;
    await run.start();
    return run;
  }

  private emit(event: SupervisorEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // An observer must not be able to break supervision.
    }
  }
}
