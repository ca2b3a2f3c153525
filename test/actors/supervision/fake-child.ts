import { vi } from 'vitest';
import type {
  ChildExit,
  ChildHandle,
  ChildSpec,
  RestartType,
  SupervisorEvent,
  SupervisorOptions,
} from '../../../src/actors/supervision/index.js';

/** One started instance of a {@link FakeChild}; its exit is triggered by hand. */
export interface FakeInstance {
  readonly exited: Promise<ChildExit>;
  readonly ended: boolean;
  crash(error?: unknown): void;
  exitNormally(): void;
}

/**
 * A child for testing supervisors: records `start:<id>` / `stop:<id>` /
 * `start-failed:<id>` in a shared log, keeps every instance it started, and
 * can be told to fail its next starts.
 */
export class FakeChild {
  readonly instances: FakeInstance[] = [];
  /** How many of the next `start()` calls reject. */
  failNextStarts = 0;

  constructor(
    readonly id: string,
    readonly restart: RestartType,
    private readonly log: string[],
  ) {}

  get spec(): ChildSpec {
    return { id: this.id, restart: this.restart, start: () => this.start() };
  }

  /** The latest instance; throws when none was started. */
  get current(): FakeInstance {
    const last = this.instances.at(-1);
    if (last === undefined) throw new Error(`${this.id} was never started`);
    return last;
  }

  get running(): boolean {
    return this.instances.length > 0 && !this.current.ended;
  }

  get starts(): number {
    return this.instances.length;
  }

  private async start(): Promise<ChildHandle> {
    if (this.failNextStarts > 0) {
      this.failNextStarts -= 1;
      this.log.push(`start-failed:${this.id}`);
      throw new Error(`${this.id} failed to start`);
    }
    this.log.push(`start:${this.id}`);
    let resolve: (exit: ChildExit) => void = () => undefined;
    const exited = new Promise<ChildExit>((r) => (resolve = r));
    let ended = false;
    const end = (exit: ChildExit): void => {
      if (ended) return;
      ended = true;
      resolve(exit);
    };
    const instance: FakeInstance = {
      exited,
      get ended() {
        return ended;
      },
      crash: (error = new Error(`${this.id} crashed`)) => end({ reason: 'error', error }),
      exitNormally: () => end({ reason: 'normal' }),
    };
    this.instances.push(instance);
    return {
      exited,
      stop: async () => {
        this.log.push(`stop:${this.id}`);
        end({ reason: 'shutdown' });
      },
    };
  }
}

/** Lets pending promise work run without moving the fake clock. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/** Supervisor options for tests: no jitter, 100 ms initial backoff, generous intensity. */
export function testOptions(
  overrides: Partial<SupervisorOptions> = {},
): SupervisorOptions & { events: SupervisorEvent[] } {
  const events: SupervisorEvent[] = [];
  return {
    strategy: 'one_for_one',
    intensity: { maxRestarts: 10, periodMs: 60_000 },
    backoff: { minMs: 100, maxMs: 10_000, jitter: 0, resetAfterMs: 60_000 },
    random: () => 0,
    onEvent: (e) => events.push(e),
    ...overrides,
    events,
  };
}
