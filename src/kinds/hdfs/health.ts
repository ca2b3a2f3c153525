/** When a cluster stops counting as healthy. */
export interface HealthPolicy {
  /** Failed attempts in a row that make a cluster unhealthy. */
  connectAttempts: number;
  /** Failing for this long makes it unhealthy whatever the count. */
  unhealthyAfterMs: number;
}

/** A cluster's health as shown by `status()`. */
export interface HealthView {
  healthy: boolean;
  failures: number;
  failingForMs: number;
  lastError: string | null;
}

/**
 * The connection health of one cluster, fed by every request made to it (listings, reads,
 * connects, probes). Any success makes it healthy; `connectAttempts` failures in a row, or failing
 * for `unhealthyAfterMs`, make it unhealthy. `success` and `failure` say whether the verdict flipped.
 *
 * @example
 * const h = new ClusterHealth({ connectAttempts: 3, unhealthyAfterMs: 30_000 });
 * h.failure('refused'); h.failure('refused');
 * h.failure('refused'); // true: now unhealthy
 * h.success(); // true: healthy again
 */
export class ClusterHealth {
  private isHealthy = true;
  private failures = 0;
  private failingSince: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly policy: HealthPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get healthy(): boolean {
    return this.isHealthy;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  /** A request succeeded; true when this made an unhealthy cluster healthy. */
  success(): boolean {
    const flipped = !this.isHealthy;
    this.isHealthy = true;
    this.failures = 0;
    this.failingSince = undefined;
    return flipped;
  }

  /** A request failed to connect; true when this made a healthy cluster unhealthy. */
  failure(error: string): boolean {
    const now = this.now();
    this.failures += 1;
    this.failingSince ??= now;
    this.lastError = error;
    if (!this.isHealthy) return false;
    if (
      this.failures >= this.policy.connectAttempts ||
      now - this.failingSince >= this.policy.unhealthyAfterMs
    ) {
      this.isHealthy = false;
      return true;
    }
    return false;
  }

  view(): HealthView {
    return {
      healthy: this.isHealthy,
      failures: this.failures,
      failingForMs: this.failingSince === undefined ? 0 : this.now() - this.failingSince,
      lastError: this.lastError ?? null,
    };
  }
}
