/** One holder's claim on a shared resource; `release` (idempotent) gives it up. */
export interface SharedLease<T> {
  readonly resource: T;
  release(): Promise<void>;
}

/** Options of {@link SharedResources.acquire}. */
export interface ShareOptions<T> {
  /**
   * Whether an open resource can still be handed out. When it says no (a pool that failed),
   * the acquirer gets a newly opened one instead, and the broken one is closed once its last
   * holder releases it.
   */
  usable?(resource: T): boolean;
}

/**
 * Takes a lease on the resource under `key`: the first acquire opens it with `open`, later ones
 * share it, and the last release closes it with `close`. Keys name the resource and its type:
 * prefix them with the kind (`hdfs-coordinator:<stateDir>`), as two kinds sharing a key would
 * share one object.
 */
export type Share = <T>(
  key: string,
  open: () => T | Promise<T>,
  close: (resource: T) => void | Promise<void>,
  options?: ShareOptions<T>,
) => Promise<SharedLease<T>>;

interface Entry {
  readonly ready: Promise<unknown>;
  readonly close: (resource: never) => void | Promise<void>;
  refs: number;
}

/**
 * Ref-counted resources shared by key: a runtime's actors share one message log, one HDFS
 * coordinator per node, one producer pool per sink. Concurrent acquirers of a key wait for the
 * same open; a failed open is forgotten (every waiter gets its error, the next acquire tries
 * again); a key closed by its last release is opened again only once that close has finished
 * (a log's directory lock is free only then).
 *
 * @example
 * const shared = new SharedResources();
 * const lease = await shared.acquire('log:/data/log', () => EmbeddedLog.open({ dir }), (log) => log.close());
 * await lease.resource.append('events', 0, records);
 * await lease.release(); // the last release closes the log
 */
export class SharedResources {
  private readonly entries = new Map<string, Entry>();
  /** Closes in progress by key: an open of the key waits for them. */
  private readonly closing = new Map<string, Promise<void>>();

  readonly acquire: Share = async <T>(
    key: string,
    open: () => T | Promise<T>,
    close: (resource: T) => void | Promise<void>,
    options: ShareOptions<T> = {},
  ): Promise<SharedLease<T>> => {
    for (;;) {
      let entry = this.entries.get(key);
      const opened = entry === undefined;
      if (entry === undefined) {
        const previous = this.closing.get(key) ?? Promise.resolve();
        entry = { ready: previous.then(open), close, refs: 0 };
        this.entries.set(key, entry);
      }
      const held = entry;
      // Counted before waiting, so a release meanwhile cannot close what this acquire gets.
      held.refs += 1;
      let resource: T;
      try {
        resource = (await held.ready) as T;
      } catch (error) {
        held.refs -= 1;
        this.unlist(key, held);
        throw error;
      }
      if (opened || options.usable === undefined || options.usable(resource)) return this.lease(key, held, resource);
      // Retired: later acquires open a new one; this one closes with its last holder.
      this.unlist(key, held);
      await this.drop(key, held, resource);
    }
  };

  /**
   * A view of this registry whose leases `releaseAll` gives up together: an actor incarnation's,
   * so that one that crashes without closing leaks nothing.
   */
  scope(): { share: Share; releaseAll(): Promise<void> } {
    const leases = new Set<SharedLease<unknown>>();
    const share: Share = async (key, open, close, options) => {
      const lease = await this.acquire(key, open, close, options);
      leases.add(lease as SharedLease<unknown>);
      return {
        resource: lease.resource,
        release: async () => {
          leases.delete(lease as SharedLease<unknown>);
          await lease.release();
        },
      };
    };
    return {
      share,
      async releaseAll() {
        const all = [...leases];
        leases.clear();
        await Promise.all(all.map((l) => l.release()));
      },
    };
  }

  private lease<T>(key: string, entry: Entry, resource: T): SharedLease<T> {
    let released = false;
    return {
      resource,
      release: async () => {
        if (released) return;
        released = true;
        await this.drop(key, entry, resource);
      },
    };
  }

  /** Gives up one hold of `entry`; the last closes it. */
  private async drop<T>(key: string, entry: Entry, resource: T): Promise<void> {
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.unlist(key, entry);
    const closed = Promise.resolve().then(() => (entry.close as (r: T) => void | Promise<void>)(resource));
    const settled = closed.catch(() => undefined);
    const all = Promise.all([this.closing.get(key), settled]).then(() => undefined);
    this.closing.set(key, all);
    void all.then(() => {
      if (this.closing.get(key) === all) this.closing.delete(key);
    });
    await closed;
  }

  /** Stops handing `entry` out under `key` (when it is still the key's current one). */
  private unlist(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}
