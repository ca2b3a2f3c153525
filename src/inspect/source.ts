import type { ClusterResponse } from './cluster-view.js';
import type { LifecycleGraph } from './lifecycle-graph.js';
import type { Recording } from './recording.js';
import type { TappedRecord } from './tap.js';
import type { ActorsResponse, ActorView, HealthView, InfoView, TopologyNodeView, TopologyView, Transition } from './types.js';

/** `/api/actors/:id`: one actor with its config and recent transitions. */
export interface ActorDetail {
  actor: ActorView;
  node: TopologyNodeView;
  transitions: Transition[];
}

/**
 * What the inspector's HTTP server serves: a live run ({@link LiveInspector}) or a recording
 * (`ReplaySource`). Live-only abilities are optional.
 */
export interface InspectSource {
  info(): InfoView;
  health(): HealthView;
  topology(): TopologyView;
  lifecycle(): LifecycleGraph;
  actors(): ActorsResponse;
  actor(id: string): ActorDetail | undefined;
  transitions(): Transition[];
  /** Live transitions from now on; returns the unsubscribe function. */
  subscribe?(listener: (t: Transition) => void): () => void;
  /** Prometheus text and its content type, read at scrape time. */
  scrape?(): Promise<{ contentType: string; text: string }>;
  /** Samples records leaving an actor at up to `perSecond` a second; throws for unknown actors and sinks. */
  tap?(actor: string, perSecond: number, deliver: (records: TappedRecord[]) => void): () => void;
  /** The whole recording, for the page's time slider. */
  recording?(): Recording;
  /** The topology's processes (ZooKeeper membership), when the run has coordination.zookeeper. */
  cluster?(): Promise<ClusterResponse> | undefined;
}
