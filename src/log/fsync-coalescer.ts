/**
 * Coalesces requests for a durable write (an fsync, a file replaced): at most
 * one runs at a time, and every request made while one runs shares the single
 * run that follows it (a running one may have started before the caller's
 * change, so it cannot count). This is what turns concurrent batch-mode appends
 * and consumer offset commits into group commit.
 */
export class FsyncCoalescer {
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;

  constructor(private readonly sync: () => Promise<void>) {}

  /** Resolves once an fsync that started after this call has completed. */
  request(): Promise<void> {
    if (this.running === undefined) return this.start();
    this.waiting ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.waiting = undefined;
        return this.start();
      });
    return this.waiting;
  }

  /** Waits for the fsyncs in flight, ignoring their errors. */
  async settle(): Promise<void> {
    await this.waiting?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  private start(): Promise<void> {
    const run: Promise<void> = this.sync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
