import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { MetricsFrame, RecordingLine } from './recording.js';
import type { HealthView, TopologyView, Transition } from './types.js';

/**
 * Appends a run to a JSON-lines recording as it goes: a `start` line with the topology, every
 * lifecycle transition, a metrics frame each second, and an `end` line. Writes are buffered by
 * the file stream, so recording never waits on the disk. `millrace inspect --replay` reads it.
 *
 * @example
 * const recorder = await Recorder.open('run.jsonl', topologyView(runtime));
 * feed.subscribe((t) => recorder.transition(t));
 */
export class Recorder {
  private closed = false;

  private constructor(private readonly out: WriteStream) {}

  /** Opens (appending to) `file` and writes the run's `start` line. */
  static async open(file: string, topology: TopologyView, now = Date.now()): Promise<Recorder> {
    const out = createWriteStream(file, { flags: 'a' });
    await once(out, 'open');
    const recorder = new Recorder(out);
    recorder.write({ type: 'start', ts: now, topology });
    return recorder;
  }

  transition(t: Transition): void {
    this.write({ type: 'transition', ...t });
  }

  /** A metrics frame; actors are written without their sparkline history (a replay rebuilds it). */
  metrics(frame: MetricsFrame): void {
    this.write({ type: 'metrics', ts: frame.ts, health: frame.health, actors: frame.actors.map(({ history: _history, ...actor }) => actor) });
  }

  /** Writes the `end` line and closes the file once everything is on disk. */
  async close(health: HealthView, now = Date.now()): Promise<void> {
    if (this.closed) return;
    this.write({ type: 'end', ts: now, health });
    this.closed = true;
    this.out.end();
    await once(this.out, 'close');
  }

  private write(line: RecordingLine): void {
    if (this.closed) return;
    this.out.write(JSON.stringify(line) + '\n');
  }
}
