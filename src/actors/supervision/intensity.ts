/**
 * Sliding-window restart intensity, as OTP's `supervisor:add_restart/1`:
 * every restart is timestamped, timestamps older than `periodMs` are dropped,
 * and the restart is allowed while at most `maxRestarts` remain in the window.
 */
export class RestartIntensity {
  private stamps: number[] = [];

  constructor(
    private readonly maxRestarts: number,
    private readonly periodMs: number,
  ) {}

  /** Records a restart at `now` (ms); returns `false` when the intensity is exceeded. */
  record(now: number): boolean {
    const threshold = now - this.periodMs;
    this.stamps = this.stamps.filter((t) => t >= threshold);
    this.stamps.push(now);
    return this.stamps.length <= this.maxRestarts;
  }
}

/** The error a supervisor exits with when its restart intensity is exceeded. */
export class RestartIntensityExceeded extends Error {
  override readonly name = 'RestartIntensityExceeded';

  readonly maxRestarts: number;
  readonly periodMs: number;

  constructor(
    readonly supervisor: string,
    readonly child: string,
    intensity: { maxRestarts: number; periodMs: number },
    cause: unknown,
  ) {
    super(
      `supervisor '${supervisor}': more than ${intensity.maxRestarts} restarts within ` +
        `${intensity.periodMs} ms (last failed child: '${child}')`,
      { cause },
    );
    this.maxRestarts = intensity.maxRestarts;
    this.periodMs = intensity.periodMs;
  }
}
