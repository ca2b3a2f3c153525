import type { Role } from '../actors/kind.js';
import type { Json } from '../streams/record.js';
import type { MembershipView } from '../coord/membership.js';
import type { Layout } from './layout.js';

/**
 * One lifecycle transition of one replica: the compact form of XState's inspection events that
 * the live stream sends and the recorder writes (never a whole snapshot).
 */
export interface Transition {
  actor: string;
  replica: number;
  /** The state before; `null` for the first snapshot of a new incarnation (a start or restart). */
  from: string | null;
  to: string;
  /** What caused it: a lifecycle event (`START`, `BLOCKED`, ...) or `connecting.done`-style names. */
  event: string;
  /** Milliseconds since the epoch. */
  ts: number;
  /** The replica's last error, on transitions into `failed` and `backoff`. */
  error?: string;
}

/** Whether the run is going, ended cleanly, or gave up (restart intensity exceeded). */
export interface HealthView {
  status: 'running' | 'finished' | 'failed' | 'replay';
  error?: string;
}

/** One replica of an actor. */
export interface ReplicaView {
  replica: number;
  state: string;
  /** When it entered `state` (ms since the epoch), if seen. */
  since: number | null;
  restarts: number;
  lastError: string | null;
  /** The kind's own `status()` (lag, assignments, ...), or null when it has none. */
  status: { [key: string]: Json } | null;
}

/** An actor's input channel: how full it is and what it went through. */
export interface ChannelView {
  depthRecords: number;
  capacityRecords: number;
  depthBytes: number;
  capacityBytes: number;
  queuedBatches: number;
  inflightBatches: number;
  overflow: string;
  /** Total time producers waited for room in this channel. */
  producersBlockedMs: number;
  dropped: number;
  redelivered: number;
}

/** Per-second rates over the sliding window. */
export interface RatesView {
  windowMs: number;
  recordsIn: number;
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Everything the inspector shows about one actor, as `/api/actors` returns it. */
export interface ActorView {
  id: string;
  kind: string;
  role: Role;
  /** The most telling state among the replicas (failed, then backoff, connecting, paused, ...). */
  state: string;
  replicas: ReplicaView[];
  restarts: number;
  errors: number;
  lastError: { message: string; at: number } | null;
  records: { in: number; out: number };
  bytes: { in: number; out: number };
  rates: RatesView;
  /** Null for sources, which have no input channel. */
  channel: ChannelView | null;
  /** Time the replicas spent paused by backpressure (waiting for downstream room), summed. */
  blockedMs: number;
  dropped: number;
  deadLettered: number;
  /** Per-second rates of the last minute, oldest first (live only; replays rebuild it). */
  history?: { recordsIn: number[]; recordsOut: number[] };
}

/** `/api/actors`: every actor at one instant. */
export interface ActorsResponse {
  ts: number;
  health: HealthView;
  actors: ActorView[];
}

/** One actor of the topology graph. */
export interface TopologyNodeView {
  id: string;
  kind: string;
  role: Role;
  replicas: number;
  inputs: string[];
  /** The kind's config with secrets (passwords, tokens, keys) masked. */
  config: { [key: string]: Json };
  channel: { maxRecords: number; maxBytes: number; overflow: string };
  supervision: Json;
  /** The dead-letter sink: fed by every actor, drawn without edges. */
  deadLetter: boolean;
}

/** `/api/topology`: the graph, with a computed layered layout. */
export interface TopologyView {
  name: string;
  file: string;
  nodes: TopologyNodeView[];
  edges: { from: string; to: string }[];
  layout: Layout;
}

/** `/api/info`: what this server is serving. */
export interface InfoView {
  mode: 'live' | 'replay';
  name: string;
  startedAt: number;
  health: HealthView;
  /** This process's ZooKeeper membership, when the topology has coordination.zookeeper. */
  membership?: MembershipView;
}
