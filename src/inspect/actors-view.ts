import { errorMessage } from '../core/errors.js';
import type { Describable } from '../actors/io.js';
import { lifecycleState } from '../actors/lifecycle.js';
import type { LifecycleActor } from '../runtime/replica.js';
import type { Runtime, RunningNode } from '../runtime/runtime.js';
import type { Json } from '../streams/record.js';
import type { Counters, RateWindow } from './rates.js';
import type { TransitionFeed } from './transitions.js';
import type { ActorView, ChannelView, ReplicaView } from './types.js';

/** States from most to least telling: an actor shows the first one any of its replicas is in. */
export const stateSeverity = ['failed', 'backoff', 'connecting', 'paused', 'draining', 'running', 'idle', 'stopped'] as const;

/** The state an actor shows for its replicas' states. */
export function actorState(states: readonly string[]): string {
  let best = states[0] ?? 'idle';
  const rank = (s: string): number => {
    const i = stateSeverity.indexOf(s as (typeof stateSeverity)[number]);
    return i < 0 ? stateSeverity.length : i;
  };
  for (const s of states) if (rank(s) < rank(best)) best = s;
  return best;
}

function replicaState(actor: LifecycleActor | undefined): string {
  if (actor === undefined) return 'idle';
  const snapshot = actor.getSnapshot();
  return snapshot.status === 'error' ? 'failed' : lifecycleState(snapshot);
}

function kindStatus(io: Describable | undefined): { [key: string]: Json } | null {
  if (io?.status === undefined) return null;
  try {
    return io.status();
  } catch (error) {
    return { statusError: errorMessage(error) };
  }
}

function restartsOf(node: RunningNode, replica: number): number {
  try {
    return node.supervisor.restarts(`${node.spec.id}#${replica}`);
  } catch {
    return 0;
  }
}

function channelView(node: RunningNode): ChannelView | null {
  if (node.input === undefined) return null;
  const s = node.input.stats;
  const c = node.input.config;
  return {
    depthRecords: s.depthRecords,
    capacityRecords: c.maxRecords,
    depthBytes: s.depthBytes,
    capacityBytes: c.maxBytes,
    queuedBatches: s.queuedBatches,
    inflightBatches: s.inflightBatches,
    overflow: c.overflow,
    producersBlockedMs: Math.round(s.blockedMs),
    dropped: s.droppedRecords,
    redelivered: s.redelivered,
  };
}

/** Every actor's cumulative counters, keyed by id: what the rate window samples. */
export function actorCounters(runtime: Runtime): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const [id, node] of runtime.nodes) out.set(id, node.metrics);
  return out;
}

/**
 * What the inspector shows about each actor right now, read from the runtime (no per-record
 * bookkeeping): replica states from the current XState actors, counters from the node metrics,
 * depth from the input channel, rates from the sampled window, pause time from the transitions.
 */
export function actorViews(runtime: Runtime, feed: TransitionFeed, rates: RateWindow, now: number, withHistory: boolean): ActorView[] {
  const views: ActorView[] = [];
  for (const node of runtime.nodes.values()) {
    const { spec, metrics } = node;
    const replicas: ReplicaView[] = [];
    let blockedMs = 0;
    for (let i = 0; i < spec.replicas; i++) {
      const actor = node.actors[i];
      replicas.push({
        replica: i,
        state: replicaState(actor),
        since: feed.since(spec.id, i),
        restarts: restartsOf(node, i),
        lastError: actor?.getSnapshot().context.lastError ?? null,
        status: kindStatus(node.io[i]),
      });
      blockedMs += feed.pausedMs(spec.id, i, now);
    }
    const view: ActorView = {
      id: spec.id,
      kind: spec.kind.name,
      role: spec.role,
      state: actorState(replicas.map((r) => r.state)),
      replicas,
      restarts: replicas.reduce((n, r) => n + r.restarts, 0),
      errors: metrics.errors,
      lastError: metrics.lastError === undefined ? null : { message: metrics.lastError, at: metrics.lastErrorAt ?? now },
      records: { in: metrics.recordsIn, out: metrics.recordsOut },
      bytes: { in: metrics.bytesIn, out: metrics.bytesOut },
      rates: rates.rates(spec.id, metrics, now),
      channel: channelView(node),
      blockedMs: Math.round(blockedMs),
      dropped: node.input?.stats.droppedRecords ?? 0,
      deadLettered: runtime.deadLetters.counts.get(spec.id) ?? 0,
    };
    if (withHistory) view.history = rates.history(spec.id);
    views.push(view);
  }
  return views;
}
