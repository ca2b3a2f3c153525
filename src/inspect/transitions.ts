import type { InspectionEvent } from 'xstate';
import { lifecycleState, type LifecycleContext, type LifecycleSnapshot } from '../actors/lifecycle.js';
import { eventLabel } from './lifecycle-graph.js';
import { Ring } from './ring.js';
import type { Transition } from './types.js';

interface Incarnation {
  actor: string;
  replica: number;
  state: string | null;
}

interface ReplicaTrack {
  state: string;
  since: number;
  pausedMs: number;
}

/** How many transitions are kept per actor, and for the whole topology. */
const perActor = 100;
const overall = 1000;

/**
 * Turns XState inspection events into lifecycle {@link Transition}s. Pass {@link inspect} as the
 * runtime's `inspect` option: it looks only at snapshots of root (lifecycle) actors, maps each
 * actor to its id and replica from the actor's input once, and emits a transition only when the
 * flat state changes. It also keeps what the views need: recent transitions, when each replica
 * entered its state, and how long each replica was paused by backpressure.
 *
 * @example
 * const feed = new TransitionFeed();
 * const runtime = new Runtime(topology, { inspect: feed.inspect });
 * feed.subscribe((t) => console.log(`${t.actor}#${t.replica} ${t.from} → ${t.to}`));
 */
export class TransitionFeed {
  private readonly incarnations = new Map<string, Incarnation>();
  private readonly replicas = new Map<string, ReplicaTrack>();
  private readonly byActor = new Map<string, Ring<Transition>>();
  private readonly all = new Ring<Transition>(overall);
  private readonly listeners = new Set<(t: Transition) => void>();

  /** The runtime's `inspect` option. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return;
    const snapshot = event.snapshot as LifecycleSnapshot;
    let incarnation = this.incarnations.get(event.rootId);
    if (incarnation === undefined) {
      const context = (snapshot as { context?: Partial<LifecycleContext> }).context;
      if (typeof context?.id !== 'string' || typeof context.replica !== 'number') return;
      incarnation = { actor: context.id, replica: context.replica, state: null };
      this.incarnations.set(event.rootId, incarnation);
    }
    if (snapshot.status !== 'active') this.incarnations.delete(event.rootId);
    const to = snapshot.status === 'error' ? 'failed' : lifecycleState(snapshot);
    if (to === incarnation.state) return;
    const t: Transition = { actor: incarnation.actor, replica: incarnation.replica, from: incarnation.state, to, event: eventLabel(event.event.type), ts: Date.now() };
    const error = snapshot.context.lastError;
    if ((to === 'failed' || to === 'backoff') && error !== undefined) t.error = error;
    incarnation.state = to;
    this.record(t);
  };

  /** Calls `listener` with every transition from now on; returns the unsubscribe function. */
  subscribe(listener: (t: Transition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a transition and tells the listeners. */
  record(t: Transition): void {
    const key = `${t.actor}#${t.replica}`;
    const track = this.replicas.get(key);
    if (track === undefined) this.replicas.set(key, { state: t.to, since: t.ts, pausedMs: 0 });
    else {
      if (track.state === 'paused') track.pausedMs += t.ts - track.since;
      track.state = t.to;
      track.since = t.ts;
    }
    let ring = this.byActor.get(t.actor);
    if (ring === undefined) this.byActor.set(t.actor, (ring = new Ring(perActor)));
    ring.push(t);
    this.all.push(t);
    for (const listener of this.listeners) listener(t);
  }

  /** Recent transitions of one actor (all replicas), oldest first. */
  recentOf(actor: string): Transition[] {
    return this.byActor.get(actor)?.toArray() ?? [];
  }

  /** Recent transitions of every actor, oldest first. */
  recent(): Transition[] {
    return this.all.toArray();
  }

  /** When a replica entered its current state, if a transition of it was seen. */
  since(actor: string, replica: number): number | null {
    return this.replicas.get(`${actor}#${replica}`)?.since ?? null;
  }

  /** Time a replica spent paused by backpressure, including a pause still going on at `now`. */
  pausedMs(actor: string, replica: number, now: number): number {
    const track = this.replicas.get(`${actor}#${replica}`);
    if (track === undefined) return 0;
    return track.pausedMs + (track.state === 'paused' ? now - track.since : 0);
  }
}
