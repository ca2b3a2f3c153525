import { Counter, Gauge, Registry } from 'prom-client';
import { stateSeverity } from './actors-view.js';
import { registerProcessMetrics } from './process-metrics.js';
import type { ActorView, HealthView } from './types.js';

/** What one scrape reads: every actor's view and the run's health. */
export interface ScrapeInput {
  actors: ActorView[];
  health: HealthView;
}

type PerActor = (v: ActorView) => number | undefined;


/**
 * Prometheus metrics of a run (prom-client, a registry of its own, plus the process's CPU and
 * memory). Values
 * are collected at scrape time from the runtime's own counters: exposing them costs nothing per
 * record. Names follow Prometheus conventions: `millrace_records_in_total{actor="parse"}`,
 * `millrace_channel_depth_records`, `millrace_blocked_seconds_total`, and
 * `millrace_actor_state{actor,replica,state}` (1 for the replica's current state, else 0).
 *
 * @example
 * const metrics = new PrometheusMetrics(() => ({ actors: views(), health }));
 * res.setHeader('content-type', metrics.contentType).end(await metrics.scrape());
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private current: ScrapeInput = { actors: [], health: { status: 'running' } };

  constructor(private readonly read: () => ScrapeInput) {
    const total = (name: string, help: string, value: PerActor): void => this.perActor(Counter, name, help, value);
    const gauge = (name: string, help: string, value: PerActor): void => this.perActor(Gauge, name, help, value);
    total('millrace_records_in_total', 'Records an actor took from its input.', (v) => v.records.in);
    total('millrace_records_out_total', 'Records an actor sent downstream.', (v) => v.records.out);
    total('millrace_bytes_in_total', 'Bytes an actor took from its input.', (v) => v.bytes.in);
    total('millrace_bytes_out_total', 'Bytes an actor sent downstream.', (v) => v.bytes.out);
    total('millrace_errors_total', 'Times a replica of the actor failed.', (v) => v.errors);
    total('millrace_restarts_total', 'Restarts of the actor\'s replicas by their supervisor.', (v) => v.restarts);
    total('millrace_dead_lettered_total', 'Records the actor rejected to the dead-letter sink.', (v) => v.deadLettered);
    total('millrace_dropped_total', 'Records dropped by the overflow policy of the actor\'s input channel.', (v) => v.dropped);
    total('millrace_redelivered_total', 'Batches of the input channel handed out again after a failed attempt.', (v) => v.channel?.redelivered);
    total('millrace_blocked_seconds_total', 'Time the actor\'s replicas were paused waiting for downstream room.', (v) => v.blockedMs / 1000);
    total('millrace_channel_blocked_seconds_total', 'Time producers waited for room in the actor\'s input channel.', (v) => (v.channel === null ? undefined : v.channel.producersBlockedMs / 1000));
    gauge('millrace_channel_depth_records', 'Records queued or in flight in the actor\'s input channel.', (v) => v.channel?.depthRecords);
    gauge('millrace_channel_capacity_records', 'Capacity of the actor\'s input channel in records.', (v) => v.channel?.capacityRecords);
    gauge('millrace_channel_depth_bytes', 'Bytes queued or in flight in the actor\'s input channel.', (v) => v.channel?.depthBytes);
    gauge('millrace_channel_capacity_bytes', 'Capacity of the actor\'s input channel in bytes.', (v) => v.channel?.capacityBytes);
    gauge('millrace_replicas', 'Replicas the actor runs.', (v) => v.replicas.length);
    this.states();
    this.kindStatus();
    const up: Gauge = new Gauge({
      name: 'millrace_up',
      help: '1 while the topology runs, 0 once it finished or failed.',
      registers: [this.registry],
      collect: () => up.set(this.current.health.status === 'running' ? 1 : 0),
    });
    registerProcessMetrics(this.registry);
  }

  /** The content type of {@link scrape}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the runtime once and renders every metric in the Prometheus text format. */
  async scrape(): Promise<string> {
    this.current = this.read();
    return this.registry.metrics();
  }

  private perActor(Type: typeof Counter | typeof Gauge, name: string, help: string, value: PerActor): void {
    const metric: Counter<'actor'> | Gauge<'actor'> = new Type({
      name,
      help,
      labelNames: ['actor'],
      registers: [this.registry],
      collect: () => {
        metric.reset();
        for (const v of this.current.actors) {
          const n = value(v);
          if (n === undefined) continue;
          if (metric instanceof Counter) metric.inc({ actor: v.id }, n);
          else metric.set({ actor: v.id }, n);
        }
      },
    });
  }

  private states(): void {
    const metric = new Gauge({
      name: 'millrace_actor_state',
      help: 'Lifecycle state of each replica: 1 for the current state, 0 for the others.',
      labelNames: ['actor', 'replica', 'state'],
      registers: [this.registry],
      collect: () => {
        metric.reset();
        for (const v of this.current.actors) {
          for (const r of v.replicas) {
            for (const state of stateSeverity) metric.set({ actor: v.id, replica: String(r.replica), state }, r.state === state ? 1 : 0);
          }
        }
      },
    });
  }

  private kindStatus(): void {
    const metric = new Gauge({
      name: 'millrace_kind_status',
      help: 'Numeric fields of a kind\'s own status (lag, assigned partitions, ...), per replica.',
      labelNames: ['actor', 'replica', 'field'],
      registers: [this.registry],
      collect: () => {
        metric.reset();
        for (const v of this.current.actors) {
          for (const r of v.replicas) {
            for (const [field, n] of Object.entries(r.status ?? {})) {
              if (typeof n === 'number' && Number.isFinite(n)) metric.set({ actor: v.id, replica: String(r.replica), field }, n);
            }
          }
        }
      },
    });
  }
}
