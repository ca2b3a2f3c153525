/** Wakes one waiting loop: `wait` resolves on the next `notify`, or after `ms`. */
export class Wake {
  private resolve: (() => void) | undefined;
  private pending = false;

  notify(): void {
    if (this.resolve === undefined) this.pending = true;
    else this.resolve();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.resolve = done;
    });
  }
}
