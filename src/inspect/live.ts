import type { ClusterResponse, ClusterSource } from './cluster-view.js';
import { errorMessage } from '../core/errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { actorCounters, actorViews } from './actors-view.js';
import { lifecycleGraph, type LifecycleGraph } from './lifecycle-graph.js';
import { PrometheusMetrics } from './prometheus.js';
import { RateWindow } from './rates.js';
import type { Recorder } from './recorder.js';
import type { ActorDetail, InspectSource } from './source.js';
import { TapHub, type TappedRecord } from './tap.js';
import { topologyView } from './topology-view.js';
import type { TransitionFeed } from './transitions.js';
import type { ActorsResponse, ActorView, HealthView, InfoView, TopologyView, Transition } from './types.js';

/**
 * The inspector over a running topology. Once a second it samples the actors' counters (for the
 * sliding-window rates and sparklines) and, when recording, writes a metrics frame; everything
 * else is read from the runtime when asked. The {@link TransitionFeed} must be the runtime's
 * `inspect` option.
 *
 * @example
 * const feed = new TransitionFeed();
 * const runtime = new Runtime(topology, { inspect: feed.inspect });
 * const inspector = new LiveInspector(runtime, feed);
 * await startInspectServer(inspector, { host: '127.0.0.1', port: 9464 });
 */
export class LiveInspector implements InspectSource {
  private readonly rates = new RateWindow(10_000);
  private readonly taps: TapHub;
  private readonly prometheus: PrometheusMetrics;
  private readonly ticker: NodeJS.Timeout;
  private readonly graph: TopologyView;
  private readonly startedAt = Date.now();
  private state: HealthView = { status: 'running' };
  private recorder: Recorder | undefined;
  private stopRecording: (() => void) | undefined;
  private clusterView: ClusterSource | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly feed: TransitionFeed,
  ) {
    this.graph = topologyView(runtime);
    this.taps = new TapHub((id) => runtime.nodes.get(id)?.outputs);
    this.prometheus = new PrometheusMetrics(() => ({ actors: this.views(false), health: this.state }));
    this.rates.sample(actorCounters(runtime), Date.now());
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
    void runtime.finished.then((result) => {
      this.state = result.ok ? { status: 'finished' } : { status: 'failed', error: errorMessage(result.error) };
    });
  }

  /** Serves the cluster (membership in info, the processes at /api/cluster) from now on. */
  showCluster(source: ClusterSource): void {
    this.clusterView = source;
  }

  cluster(): Promise<ClusterResponse> | undefined {
    return this.clusterView?.cluster();
  }

  /** Writes every transition and a metrics frame each second to `recorder` from now on. */
  record(recorder: Recorder): void {
    this.recorder = recorder;
    this.stopRecording = this.feed.subscribe((t) => recorder.transition(t));
  }

  /** Stops sampling; closes the recording with the run's final health. */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.stopRecording?.();
    if (this.recorder !== undefined) {
      this.tick();
      await this.recorder.close(this.state);
    }
  }

  info(): InfoView {
    const membership = this.clusterView?.membership();
    return { mode: 'live', name: this.graph.name, startedAt: this.startedAt, health: this.state, ...(membership === undefined ? {} : { membership }) };
  }

  health(): HealthView {
    return this.state;
  }

  topology(): TopologyView {
    return this.graph;
  }

  lifecycle(): LifecycleGraph {
    return lifecycleGraph();
  }

  actors(): ActorsResponse {
    return { ts: Date.now(), health: this.state, actors: this.views(true) };
  }

  actor(id: string): ActorDetail | undefined {
    const actor = this.views(true).find((a) => a.id === id);
    const node = this.graph.nodes.find((n) => n.id === id);
    if (actor === undefined || node === undefined) return undefined;
    return { actor, node, transitions: this.feed.recentOf(id) };
  }

  transitions(): Transition[] {
    return this.feed.recent();
  }

  subscribe(listener: (t: Transition) => void): () => void {
    return this.feed.subscribe(listener);
  }

  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.prometheus.contentType, text: await this.prometheus.scrape() };
  }

  tap(actor: string, perSecond: number, deliver: (records: TappedRecord[]) => void): () => void {
    if (this.runtime.nodes.get(actor)?.spec.role === 'sink') throw new Error(`"${actor}" is a sink: no records leave it`);
    return this.taps.open(actor, perSecond, deliver);
  }

  private views(withHistory: boolean): ActorView[] {
    return actorViews(this.runtime, this.feed, this.rates, Date.now(), withHistory);
  }

  private tick(): void {
    const now = Date.now();
    this.rates.sample(actorCounters(this.runtime), now);
    this.recorder?.metrics({ ts: now, health: this.state, actors: this.views(false) });
  }
}
