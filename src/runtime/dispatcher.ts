import type { Logger } from 'pino';
import type { RegisteredStream } from '../db/stream-definition.js';
import type { StreamRegistry } from '../db/stream-registry.js';
import { errorMessage } from '../core/errors.js';
import { loadFunction } from '../core/load-function.js';
import type { SinkKind } from '../actors/kind.js';
import { countedSink } from '../quality/counted-sink.js';
import { HopCounter } from '../quality/hop-counter.js';
import { QualityJudge, type QualityJudgeOptions } from '../quality/quality-judge.js';
import { sinkHop } from '../quality/quality-rows.js';
import type { QualityStore } from '../quality/quality-store.js';
import type { Topology } from '../topology/model.js';
import { dispatchTopology, modulePath, sinkId, type DispatchTopologyOptions } from './dispatch-topology.js';
import { failureSummary } from './failure.js';
import { Runtime } from './runtime.js';

export interface DispatcherOptions extends DispatchTopologyOptions {
  log: Logger;
  /** Count each sink's deliveries into these quality tables and judge them (see src/quality). */
  quality?: { store: QualityStore } & QualityJudgeOptions;
  /** How often the registry's revision is read (default 2 s). */
  pollMs?: number;
  /** How long a stopping job waits for its in-flight batches (default 30 s). */
  drainTimeoutMs?: number;
}

/** What a job is doing, for the status output; `stopping`: disabled, removed or changed, and still draining what it took (its sinks may still write). */
export type JobState = 'running' | 'finished' | 'failed' | 'invalid' | 'stopping';

export interface JobStatus {
  stream: string;
  topic: string;
  state: JobState;
  /** Records the job's sinks have taken to write (each sink counted), since it last started. */
  taken: number;
  /** Errors the job's actors reported since it last started, and the latest one. */
  errors: number;
  lastError?: string;
  /** Restarts after failures since the stream's job was first started. */
  restarts: number;
  error?: string;
}

interface Job {
  stream: RegisteredStream;
  /** The settings the job was built from: a change of any restarts it. */
  key: string;
  runtime?: Runtime;
  state: JobState;
  restarts: number;
  error?: string;
  retry?: NodeJS.Timeout;
  stopped: boolean;
}

/** Loads a stream's module once before its job starts, so a bad one names the stream and is not retried. */
async function checkModule(stream: string, module: NonNullable<RegisteredStream['module']>): Promise<void> {
  try {
    await loadFunction('/', modulePath(module), module.export, 'projection/filter');
  } catch (error) {
    throw new Error(`stream ${stream}: ${errorMessage(error)}; fix the file or the stream's module (millrace streams update ${stream} --module path#export)`, { cause: error });
  }
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;

/** The settings of a stream its job is built from. */
const jobKey = (s: RegisteredStream): string => JSON.stringify([s.topic, s.cluster, s.format, s.sinks, s.module]);

/**
 * One supervised dispatch job per active stream of the registry, each its own {@link Runtime}
 * (so one failing job or sink never stalls another). Polls the registry's revision and starts,
 * stops and restarts jobs as streams are added, disabled, removed or changed. A job stops
 * gracefully (its group commits what its sinks took) and a new one resumes from the group's
 * offsets; dispatchers in other processes share each stream's partitions through its group.
 */
export class Dispatcher {
  private readonly jobs = new Map<string, Job>();
  /** Jobs taken out of `jobs` whose runtime is still draining; shown in the status until it ends. */
  private readonly stopping = new Set<Job>();
  private revision = -1;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly counter: HopCounter | undefined;
  /** Joins the quality counts and raises alerts, when the dispatcher counts quality. */
  readonly quality: QualityJudge | undefined;

  constructor(
    private readonly registry: StreamRegistry,
    private readonly options: DispatcherOptions,
  ) {
    const quality = options.quality;
    if (quality !== undefined) {
      this.counter = new HopCounter(quality.store);
      this.quality = new QualityJudge(quality.store, () => this.sinksOfStreams(), options.log, quality);
    }
  }

  /** Reads the registry and starts the active streams' jobs; then polls it. */
  async start(): Promise<void> {
    await this.sync();
    this.quality?.start();
    const poll = (): void => {
      this.timer = setTimeout(() => {
        this.polling = this.sync()
          .catch((error: unknown) => this.options.log.warn({ err: errorMessage(error) }, 'cannot read the stream registry; keeping the running jobs'))
          .finally(() => {
            if (!this.closed) poll();
          });
      }, this.options.pollMs ?? 2000);
    };
    poll();
  }

  /** Applies the registry as it is now (when its revision changed). */
  async sync(): Promise<void> {
    const revision = await this.registry.revision();
    if (revision === this.revision || this.closed) return;
    const wanted = new Map((await this.registry.list()).filter((s) => s.state === 'active').map((s) => [s.id, s]));
    this.revision = revision;
    const changes: Promise<void>[] = [];
    for (const [id, job] of this.jobs) {
      const next = wanted.get(id);
      if (next === undefined) changes.push(this.stopJob(job, 'stream disabled or removed'));
      else if (jobKey(next) !== job.key) changes.push(this.stopJob(job, 'stream settings changed').then(() => this.startJob(next, job.restarts)));
    }
    for (const [id, stream] of wanted) if (!this.jobs.has(id)) changes.push(this.startJob(stream, 0));
    await Promise.all(changes);
  }

  status(): JobStatus[] {
    return [...this.jobs.values(), ...this.stopping]
      .map((j) => {
        const nodes = [...(j.runtime?.nodes.values() ?? [])];
        // An actor backing off (e.g. a sink whose service is down) holds its error in its context.
        const backingOff = nodes.flatMap((n) => n.actors).find((a) => a?.getSnapshot().context.lastError !== undefined);
        const latest = backingOff?.getSnapshot().context.lastError ?? nodes.map((n) => n.metrics).sort((a, b) => (b.lastErrorAt ?? 0) - (a.lastErrorAt ?? 0))[0]?.lastError;
        return {
          stream: j.stream.id,
          topic: j.stream.topic,
          state: j.state,
          taken: nodes.filter((n) => n.spec.role === 'sink').reduce((sum, n) => sum + n.metrics.recordsIn, 0),
          errors: nodes.reduce((sum, n) => sum + n.metrics.errors, 0),
          restarts: j.restarts,
          ...(latest === undefined ? {} : { lastError: latest }),
          ...(j.error === undefined ? {} : { error: j.error }),
        };
      })
      .sort((a, b) => a.stream.localeCompare(b.stream));
  }

  /** Resolves when every job has ended by itself (with `once`: each read its topic to the end). */
  async finished(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.runtime?.finished));
  }

  /** Stops polling and every job gracefully. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.polling;
    await this.quality?.close();
    await Promise.all([...this.jobs.values()].map((j) => this.stopJob(j, 'dispatcher stopping')));
  }

  private async startJob(stream: RegisteredStream, restarts: number): Promise<void> {
    const log = this.options.log.child({ stream: stream.id });
    const job: Job = { stream, key: jobKey(stream), state: 'running', restarts, stopped: false };
    this.jobs.set(stream.id, job);
    let runtime: Runtime;
    try {
      const topology = this.counted(dispatchTopology(stream, this.options), stream.id);
      if (stream.module !== null) await checkModule(stream.id, stream.module);
      runtime = new Runtime(topology, { log, drainTimeoutMs: this.options.drainTimeoutMs });
    } catch (error) {
      // Not retried: the registry must change first (which restarts the job).
      job.state = 'invalid';
      job.error = errorMessage(error);
      log.error({ err: job.error }, 'dispatch job not started: fix the stream (millrace streams update)');
      return;
    }
    job.runtime = runtime;
    void runtime.finished.then((result) => {
      if (job.stopped) return;
      if (result.ok) {
        job.state = 'finished';
        log.info({ topic: stream.topic }, 'dispatch job finished');
        return;
      }
      job.state = 'failed';
      job.error = failureSummary(result.error);
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** job.restarts);
      log.error({ err: job.error, delayMs }, 'dispatch job failed: restarting it');
      job.retry = setTimeout(() => {
        if (this.jobs.get(stream.id) === job && !job.stopped) void this.startJob(stream, job.restarts + 1);
      }, delayMs);
    });
    log.info({ topic: stream.topic, sinks: runtime.topology.nodes.filter((n) => n.role === 'sink').map((n) => n.id) }, 'dispatch job starting');
    try {
      await runtime.start();
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'dispatch job did not start');
    }
  }

  /** The job with each sink's deliveries counted, when the dispatcher counts quality. */
  private counted(topology: Topology, stream: string): Topology {
    const counter = this.counter;
    if (counter === undefined) return topology;
    return { ...topology, nodes: topology.nodes.map((n) => (n.role === 'sink' ? { ...n, kind: countedSink(n.kind as SinkKind, counter, stream, sinkHop(n.id)) } : n)) };
  }

  /** Stream -> its sinks' ids, of the registry's active streams. */
  private async sinksOfStreams(): Promise<Map<string, string[]>> {
    return new Map((await this.registry.list()).filter((s) => s.state === 'active').map((s) => [s.id, s.sinks.map(sinkId)]));
  }

  private async stopJob(job: Job, reason: string): Promise<void> {
    job.stopped = true;
    clearTimeout(job.retry);
    if (this.jobs.get(job.stream.id) === job) this.jobs.delete(job.stream.id);
    if (job.runtime === undefined) return;
    const runtime = job.runtime;
    job.state = 'stopping';
    this.stopping.add(job);
    const log = this.options.log.child({ stream: job.stream.id });
    log.info({ reason }, 'dispatch job stopping');
    // The source waits drainTimeoutMs for its acks, then the sinks drain; a sink that cannot
    // write (its service down) would hold the stop forever. What it did not ack is read again.
    const deadlineMs = 2 * (this.options.drainTimeoutMs ?? 30_000);
    const deadline = setTimeout(() => {
      log.warn({ deadlineMs }, 'dispatch job did not drain in time: abandoned; its unacknowledged records are read again by the next job');
      runtime.abandonDrain(deadlineMs);
    }, deadlineMs);
    await runtime.stop().finally(() => {
      clearTimeout(deadline);
      this.stopping.delete(job);
    });
    log.info('dispatch job stopped');
  }
}
