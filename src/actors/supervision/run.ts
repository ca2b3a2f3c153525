import { backoffDelay } from './backoff.js';
import { RestartIntensity, RestartIntensityExceeded } from './intensity.js';
import { RestartTimers } from './restart-timers.js';
import { isInvalidConfig } from '../../core/errors.js';
import { SerialQueue } from '../../core/serial-queue.js';
import { restartGroup } from './strategy.js';
import type {
  ChildExit,
  ChildHandle,
  ChildSpec,
  SupervisorEvent,
  SupervisorOptions,
} from './types.js';

/** What a run needs from the `Supervisor` that owns it. */
export interface RunOwner {
  readonly id: string;
  readonly options: SupervisorOptions;
  /** Counts one more restart of `childId` and returns its new total. */
  countRestart(childId: string): number;
  /** Total restarts of `childId` so far. */
  restarts(childId: string): number;
  emit(event: SupervisorEvent): void;
}

/** One child within a run. */
interface Slot {
  readonly spec: ChildSpec;
  readonly index: number;
  /** The current instance; cleared when we stop it or handle its exit, so late exits read as stale. */
  handle: ChildHandle | undefined;
  /** The current instance has exited; its exit is queued for handling. */
  ended: boolean;
  startedAt: number | undefined;
  /** Consecutive restarts: the backoff attempt of the next restart. */
  consecutive: number;
  /** Temporary children are dropped once they end (OTP `del_child`). */
  removed: boolean;
}

type Phase = 'running' | 'terminating' | 'exited';

/**
 * One incarnation of a supervisor, from `start()` until it exits. Every state
 * change runs as a task of a {@link SerialQueue} (the supervisor's mailbox);
 * backoff delays are timers that queue the restart when they fire.
 */
export class SupervisionRun {
  readonly exited: Promise<ChildExit>;
  private resolveExited: (exit: ChildExit) => void = () => undefined;
  private phase: Phase = 'running';
  private started: Promise<void> | undefined;
  private readonly queue = new SerialQueue();
  private readonly slots: Slot[];
  private readonly timers = new RestartTimers<Slot>();
  private readonly intensity: RestartIntensity;

  constructor(
    private readonly owner: RunOwner,
    children: readonly ChildSpec[],
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.slots = children.map((spec, index) => ({
      spec,
      index,
      handle: undefined,
      ended: false,
      startedAt: undefined,
      consecutive: 0,
      removed: false,
    }));
    const { maxRestarts, periodMs } = owner.options.intensity;
    this.intensity = new RestartIntensity(maxRestarts, periodMs);
  }

  /** `running` until stop or escalation begins, `exited` once `exited` has resolved. */
  get state(): Phase {
    return this.phase;
  }

  /** Starts the children in order; idempotent. Never rejects. */
  start(): Promise<void> {
    this.started ??= this.post(() => this.startInOrder(this.slots));
    return this.started;
  }

  /** Stops the children in reverse order and exits with `shutdown`. Never rejects. */
  stop(): Promise<void> {
    if (this.phase === 'running') {
      this.phase = 'terminating';
      this.timers.cancelAll();
      void this.post(async () => {
        await this.stopInReverse(this.slots);
        this.owner.emit({ type: 'supervisor.stopped', supervisor: this.owner.id });
        this.finish({ reason: 'shutdown' });
      });
    }
    return this.exited.then(() => undefined);
  }

  /** Queues a task; an unexpected failure of our own code crashes the run instead of leaking. */
  private post(task: () => Promise<void>): Promise<void> {
    return this.queue.run(task).catch((error: unknown) => {
      if (this.phase === 'exited') return;
      this.phase = 'terminating';
      return this.queue
        .run(() => this.escalate(error))
        .catch(() => this.finish({ reason: 'error', error }));
    });
  }

  private finish(exit: ChildExit): void {
    if (this.phase === 'exited') return;
    this.phase = 'exited';
    this.resolveExited(exit);
  }

  /**
   * Starts `slots` in order, each awaited. After a failed start the sequence
   * goes on unless the failure's restart will start the remaining ones anyway
   * (`one_for_all` / `rest_for_one` restarting the failed child).
   */
  private async startInOrder(slots: readonly Slot[]): Promise<void> {
    for (const slot of slots) {
      if (this.phase !== 'running') return;
      if (slot.removed || slot.handle !== undefined) continue;
      const ok = await this.startOne(slot);
      if (!ok && this.owner.options.strategy !== 'one_for_one' && slot.spec.restart !== 'temporary')
        return;
    }
  }

  private async startOne(slot: Slot): Promise<boolean> {
    const child = slot.spec.id;
    let handle: ChildHandle;
    try {
      handle = await slot.spec.start();
    } catch (error) {
      const exit: ChildExit = { reason: 'error', error };
      slot.startedAt = undefined;
      this.owner.emit({ type: 'child.exited', supervisor: this.owner.id, child, exit });
      void this.post(() => this.onChildExit(slot, exit, undefined));
      return false;
    }
    slot.handle = handle;
    slot.ended = false;
    slot.startedAt = Date.now();
    const attempt = this.owner.restarts(child);
    this.owner.emit({ type: 'child.started', supervisor: this.owner.id, child, attempt });
    this.watch(slot, handle);
    return true;
  }

  private watch(slot: Slot, handle: ChildHandle): void {
    const observed = Promise.resolve(handle.exited).then(
      (exit): ChildExit => exit,
      (error: unknown): ChildExit => ({ reason: 'error', error }),
    );
    void observed.then((exit) => {
      const current = slot.handle === handle;
      if (current) slot.ended = true;
      const child = slot.spec.id;
      this.owner.emit({ type: 'child.exited', supervisor: this.owner.id, child, exit });
      if (current) void this.post(() => this.onChildExit(slot, exit, handle));
    });
  }

  /**
   * Stops the running children among `slots`, last first, each awaited. A
   * child that already died is only forgotten: its queued exit becomes stale
   * and is dropped, as OTP flushes the `'EXIT'` of a child it terminates.
   */
  private async stopInReverse(slots: readonly Slot[]): Promise<void> {
    for (const slot of [...slots].reverse()) {
      const handle = slot.handle;
      slot.handle = undefined;
      if (handle === undefined || slot.ended) continue;
      try {
        await handle.stop();
      } catch {
        // A child that fails to stop gracefully is gone as far as we are concerned.
      }
    }
  }

  /** OTP `do_restart` + `restart/3`: decide, count, stop the group, schedule its restart. */
  private async onChildExit(
    slot: Slot,
    exit: ChildExit,
    handle: ChildHandle | undefined,
  ): Promise<void> {
    if (this.phase !== 'running' || slot.handle !== handle) return; // stale: stopped or replaced
    slot.handle = undefined;
    const { restart } = slot.spec;
    const restartIt =
      restart === 'permanent' || (restart === 'transient' && exit.reason === 'error');
    if (!restartIt) {
      if (restart === 'temporary') slot.removed = true;
      return;
    }
    // A configuration that can never work is not retried: it ends this supervisor (and its
    // parents, which see the same error) at once.
    if (exit.reason === 'error' && isInvalidConfig(exit.error)) return this.escalate(exit.error);
    const now = Date.now();
    if (!this.intensity.record(now)) {
      const { id, options } = this.owner;
      return this.escalate(
        new RestartIntensityExceeded(id, slot.spec.id, options.intensity, exit.error),
      );
    }
    const group = restartGroup(this.owner.options.strategy, this.slots, slot);
    await this.stopInReverse(group);
    for (const s of group) if (s.spec.restart === 'temporary') s.removed = true;
    if (this.phase !== 'running') return;

    const { backoff, random = Math.random } = this.owner.options;
    const quiet = slot.startedAt !== undefined && now - slot.startedAt >= backoff.resetAfterMs;
    if (quiet) slot.consecutive = 0;
    const delayMs = backoffDelay(slot.consecutive++, backoff, random);
    const toRestart = group.filter((s) => !s.removed);
    for (const s of toRestart) {
      const restarts = this.owner.countRestart(s.spec.id);
      this.owner.emit({
        type: 'child.restart.scheduled',
        supervisor: this.owner.id,
        child: s.spec.id,
        delayMs,
        restarts,
      });
    }
    this.timers.schedule(toRestart, delayMs, (ordered) => {
      void this.post(() => this.startInOrder(ordered));
    });
  }

  private async escalate(error: unknown): Promise<void> {
    this.phase = 'terminating';
    this.timers.cancelAll();
    this.owner.emit({ type: 'supervisor.escalating', supervisor: this.owner.id, error });
    await this.stopInReverse(this.slots);
    this.owner.emit({ type: 'supervisor.escalated', supervisor: this.owner.id, error });
    this.finish({ reason: 'error', error });
  }
}
