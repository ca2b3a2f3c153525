import type { ClusterSource } from './cluster-view.js';
import type { Runtime } from '../runtime/runtime.js';
import { LiveInspector } from './live.js';
import { Recorder } from './recorder.js';
import type { BindAddress } from './security.js';
import { startInspectServer, type InspectServer } from './server.js';
import type { TransitionFeed } from './transitions.js';

/** What `millrace run` was asked to inspect: serve (`--inspect`), record (`--inspect-record`), or both. */
export interface InspectOptions {
  /** Serve the inspector here. */
  address?: BindAddress;
  token?: string;
  /** Append the run's transitions and metric frames to this JSON-lines file. */
  recordTo?: string;
}

/** An inspector attached to a run. */
export interface AttachedInspector {
  /** The server's URL, when serving. */
  readonly url: string | undefined;
  /** Serves the topology's processes (membership in ZooKeeper) from now on. */
  showCluster(source: ClusterSource): void;
  /** Stops serving and closes the recording. */
  close(): Promise<void>;
}

/**
 * Attaches the inspector to a runtime built with `inspect: feed.inspect`: a {@link LiveInspector},
 * its HTTP server when an address is given, and a recorder when a file is. Call before
 * `runtime.start()` so the first transitions are seen.
 *
 * @example
 * const feed = new TransitionFeed();
 * const runtime = new Runtime(topology, { inspect: feed.inspect });
 * const inspector = await attachInspector(runtime, feed, { address: { host: '127.0.0.1', port: 9464 } });
 */
export async function attachInspector(runtime: Runtime, feed: TransitionFeed, options: InspectOptions): Promise<AttachedInspector> {
  const live = new LiveInspector(runtime, feed);
  let server: InspectServer | undefined;
  try {
    if (options.recordTo !== undefined) live.record(await Recorder.open(options.recordTo, live.topology()));
    if (options.address !== undefined) server = await startInspectServer(live, { ...options.address, token: options.token });
  } catch (error) {
    await live.close();
    throw error;
  }
  return {
    url: server?.url,
    showCluster: (source) => live.showCluster(source),
    async close() {
      await server?.close();
      await live.close();
    },
  };
}
