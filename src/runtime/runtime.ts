import { join } from 'node:path';
import type { Logger } from 'pino';
import type { InspectionEvent } from 'xstate';
import type { Describable } from '../actors/io.js';
import { errorMessage } from '../core/errors.js';
import { DeadLetters } from '../actors/pump/dead-letters.js';
import { Outputs } from '../actors/pump/outputs.js';
import { Supervisor } from '../actors/supervision/supervisor.js';
import type { ChildExit, ChildHandle, SupervisorEvent } from '../actors/supervision/types.js';
import { Channel } from '../streams/channel.js';
import type { NodeSpec, Topology } from '../topology/model.js';
import type { TransportConfig } from '../transport/schema.js';
import { SharedResources } from '../core/shared-resources.js';
import { topologyTransport } from './embedded-log-hold.js';
import { CheckpointStore } from './checkpoint.js';
import { withDeadLetterSink } from './dead-letter-node.js';
import { DrainDeadlineExceeded, defaultDrain, logDrainProgress, recordsLeft } from './drain.js';
import { failureSummary } from './failure.js';
import { createLogger } from './logger.js';
import { NodeMetrics } from './node-metrics.js';
import { startReplica, type LifecycleActor } from './replica.js';
import { rootSupervision } from './root-supervision.js';

export interface RuntimeOptions {
  log?: Logger;
  /** Receives every XState inspection event of every actor (the inspector's feed). */
  inspect?: (event: InspectionEvent) => void;
  /** How long a stopping source waits for its in-flight batches to be acknowledged. */
  drainTimeoutMs?: number;
  /**
   * Resources the actors share by key (see ActorContext.shared); by default the runtime's own.
   * Runtimes in one process that use the same embedded log must be given the same registry, as
   * the log admits one open instance per directory.
   */
  shared?: SharedResources;
}

const noDeadLetters = new DeadLetters(undefined);

/** How a run ended. */
export type RunResult = { ok: true } | { ok: false; error: unknown };

/** One node as the runtime runs it. */
export interface RunningNode {
  readonly spec: NodeSpec;
  readonly input: Channel | undefined;
  readonly metrics: NodeMetrics;
  readonly supervisor: Supervisor;
  /** Where the node's records leave it (the inspector taps them here). */
  readonly outputs: Outputs;
  /** The current actor of each replica. */
  readonly actors: (LifecycleActor | undefined)[];
  /** The current I/O of each replica, for kind-specific status. */
  readonly io: (Describable | undefined)[];
  finished: boolean;
}

/**
 * Runs a loaded topology: one bounded channel per consuming node, one supervisor per node over its
 * replicas, and a root supervisor over the nodes. Sinks start first and sources stop first; a
 * stopped source closes its channels, every consumer drains its input before it ends, and the run
 * finishes when every node has ended.
 */
export class Runtime {
  readonly nodes = new Map<string, RunningNode>();
  readonly deadLetters: DeadLetters;
  readonly log: Logger;
  /** Resources the actors of this runtime share by key (see ActorContext.shared). */
  readonly shared: SharedResources;
  private readonly root: Supervisor;
  private readonly checkpoints: CheckpointStore;
  private readonly releases = new Map<string, (() => void)[]>();
  private readonly releaseDeadLetters: () => void;
  private resolveFinished!: (result: RunResult) => void;
  /** Settles when every node has ended, or the root supervisor gave up. */
  readonly finished = new Promise<RunResult>((resolve) => (this.resolveFinished = resolve));
  private stopping = false;
  /** Input channel of every consuming node, by node id. */
  private readonly channels: ReadonlyMap<string, Channel>;
  /** The root supervisor is giving up: the run ends in failure. */
  private failing = false;
  private readonly transport: TransportConfig;

  constructor(
    readonly topology: Topology,
    private readonly options: RuntimeOptions = {},
  ) {
    this.log = options.log ?? createLogger();
    this.shared = options.shared ?? new SharedResources();
    this.checkpoints = new CheckpointStore(join(topology.dataDir, 'checkpoints'), undefined, (file, error) =>
      this.log.warn({ file, err: errorMessage(error) }, 'cannot write a checkpoint; trying again (positions since the last write would be read again after a crash)'),
    );
    this.transport = topologyTransport(topology);
    const { nodes, deadLetterId } = withDeadLetterSink(topology);
    const inputs = new Map(nodes.filter((n) => n.role !== 'source').map((n) => [n.id, new Channel(n.id, n.channel)]));
    this.channels = inputs;
    const deadLetterChannel = inputs.get(deadLetterId);
    this.deadLetters = new DeadLetters(deadLetterChannel);
    this.releaseDeadLetters = deadLetterChannel?.addProducer() ?? (() => undefined);
    for (const spec of nodes) {
      const consumers = nodes.filter((c) => c.inputs.includes(spec.id));
      this.nodes.set(spec.id, this.build(spec, inputs.get(spec.id), consumers.map((c) => ({ id: c.id, channel: inputs.get(c.id) as Channel }))));
    }
    const order = [...topology.order].reverse();
    order.unshift(deadLetterId);
    const children = [...new Set(order)].map((id) => (this.nodes.get(id) as RunningNode).supervisor.asChild('transient'));
    const onRootEvent = (e: SupervisorEvent): void => {
      if (e.type === 'supervisor.escalating') this.failing = true;
      this.onSupervisorEvent(e);
    };
    this.root = new Supervisor('root', children, { ...rootSupervision, onEvent: onRootEvent });
  }

  /** Starts every node, sinks first; resolves once all have connected or begun backing off. */
  async start(): Promise<void> {
    void this.root.exited.then((exit) => {
      if (exit.reason === 'error') this.finish({ ok: false, error: exit.error });
    });
    await this.root.start();
    this.log.info({ topology: this.topology.name, nodes: this.nodes.size }, 'topology running');
  }

  /** Graceful stop: sources stop reading, channels drain, then sinks close. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('stopping: sources first, then draining every channel');
    const stopProgress = logDrainProgress(this.channels, (this.topology.drain ?? defaultDrain).progressEveryMs, this.log);
    void this.finished.finally(stopProgress);
    await Promise.all(
      [...this.nodes.values()]
        .filter((n) => n.spec.role === 'source' && !n.finished)
        .map(async (n) => {
          await n.supervisor.stop();
          this.nodeFinished(n);
        }),
    );
    await this.finished;
  }

  /**
   * Ends a stop that drains too long (the topology's `drain.deadlineMs`): the run finishes at once
   * with {@link DrainDeadlineExceeded}. Acknowledged positions are committed; what is still queued
   * or in flight was never acknowledged, so it is read again on the next run.
   */
  abandonDrain(deadlineMs: number): void {
    const left = Object.values(recordsLeft(this.channels)).reduce((a, b) => a + b, 0);
    this.failing = true;
    this.finish({ ok: false, error: new DrainDeadlineExceeded(deadlineMs, left) });
  }

  /** One node, wired to its input and to its consumers' channels, under a supervisor of its replicas. */
  private build(spec: NodeSpec, input: Channel | undefined, consumers: { id: string; channel: Channel }[]): RunningNode {
    const channels = consumers.map((c) => c.channel);
    this.releases.set(spec.id, channels.map((c) => c.addProducer()));
    const metrics = new NodeMetrics();
    const outputs = new Outputs(channels, metrics);
    const actors: (LifecycleActor | undefined)[] = [];
    const io: (Describable | undefined)[] = [];
    const done = new Set<number>();
    const replicas = Array.from({ length: spec.replicas }, (_, replica) => ({
      id: `${spec.id}#${replica}`,
      restart: spec.supervision.restart,
      start: async (): Promise<ChildHandle> => {
        const handle = await startReplica({
          node: spec,
          replica,
          input,
          outputs,
          consumers: consumers.map((c) => c.id),
          transport: this.transport,
          // The dead-letter sink cannot dead-letter to itself: its failures fail the source's ack.
          deadLetters: spec.kind.inputs === 'none' ? noDeadLetters : this.deadLetters,
          metrics,
          log: this.log.child({ actor: spec.id, replica }),
          baseDir: this.topology.baseDir,
          stateDir: join(this.topology.dataDir, 'state', spec.id),
          checkpoint: this.checkpoints.for(spec.replicas > 1 ? `${spec.id}.${replica}` : spec.id),
          shared: this.shared,
          // A failing run stops at once: the acks it would wait for cannot come (their consumers
          // are gone), and what is unacknowledged is read again on the next run.
          drainTimeoutMs: () => (this.failing ? 0 : (this.options.drainTimeoutMs ?? 30_000)),
          inspect: this.options.inspect,
          onActor: (i, actor, actorIo) => {
            actors[i] = actor;
            io[i] = actorIo;
          },
        });
        void handle.exited.then((exit: ChildExit) => {
          if (exit.reason !== 'normal') return;
          done.add(replica);
          if (done.size === spec.replicas) this.nodeFinished(node);
        });
        return handle;
      },
    }));
    const { strategy, intensity, backoff } = spec.supervision;
    const supervisor = new Supervisor(spec.id, replicas, { strategy, intensity, backoff, onEvent: (e) => this.onSupervisorEvent(e) });
    const node: RunningNode = { spec, input, metrics, supervisor, outputs, actors, io, finished: false };
    return node;
  }

  /** A node that will produce no more: its consumers' channels lose a producer. */
  private nodeFinished(node: RunningNode): void {
    if (node.finished) return;
    node.finished = true;
    for (const release of this.releases.get(node.spec.id) ?? []) release();
    this.log.info({ actor: node.spec.id }, 'actor finished');
    const others = [...this.nodes.values()].filter((n) => n.input !== this.deadLettersChannel());
    if (others.every((n) => n.finished)) this.releaseDeadLetters();
    if ([...this.nodes.values()].every((n) => n.finished)) void this.complete();
  }

  private deadLettersChannel(): Channel | undefined {
    return [...this.nodes.values()].find((n) => n.spec.kind.inputs === 'none')?.input;
  }

  private async complete(): Promise<void> {
    await this.root.stop();
    await this.checkpoints.flushAll();
    this.finish({ ok: true });
  }

  private finish(result: RunResult): void {
    if (!result.ok) this.log.error({ err: failureSummary(result.error) }, 'topology failed');
    void this.checkpoints.flushAll().finally(() => this.resolveFinished(result));
  }

  private onSupervisorEvent(e: SupervisorEvent): void {
    switch (e.type) {
      case 'child.restart.scheduled':
        this.log.warn({ supervisor: e.supervisor, child: e.child, delayMs: Math.round(e.delayMs), restarts: e.restarts }, 'restarting');
        break;
      case 'supervisor.escalated':
        this.log.error({ supervisor: e.supervisor, err: String(e.error) }, 'restart intensity exceeded: escalating');
        break;
      default:
        break;
    }
  }
}
