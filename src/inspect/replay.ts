import { readFile } from 'node:fs/promises';
import { lifecycleGraph, type LifecycleGraph } from './lifecycle-graph.js';
import { parseRecording, type Recording } from './recording.js';
import type { ActorDetail, InspectSource } from './source.js';
import type { ActorsResponse, ActorView, HealthView, InfoView, TopologyView, Transition } from './types.js';

/**
 * The inspector over a recording (`--inspect-record`): the same API as a live run, answering with
 * the recording's last instant, plus `/api/recording` for the page's time slider. Nothing is
 * live: no event stream, no metrics scrape, no tap.
 *
 * @example
 * const source = await ReplaySource.load('run.jsonl');
 * await startInspectServer(source, { host: '127.0.0.1', port: 9464 });
 */
export class ReplaySource implements InspectSource {
  constructor(private readonly rec: Recording) {}

  /** Reads and parses a recording file. */
  static async load(file: string): Promise<ReplaySource> {
    return new ReplaySource(parseRecording(await readFile(file, 'utf8')));
  }

  info(): InfoView {
    return { mode: 'replay', name: this.rec.topology.name, startedAt: this.rec.startedAt, health: { status: 'replay' } };
  }

  health(): HealthView {
    return { status: 'replay' };
  }

  topology(): TopologyView {
    return this.rec.topology;
  }

  lifecycle(): LifecycleGraph {
    return lifecycleGraph();
  }

  actors(): ActorsResponse {
    const last = this.rec.metrics[this.rec.metrics.length - 1];
    return { ts: last?.ts ?? this.rec.endedAt, health: this.rec.health, actors: last?.actors ?? [] };
  }

  actor(id: string): ActorDetail | undefined {
    const actor: ActorView | undefined = this.actors().actors.find((a) => a.id === id);
    const node = this.rec.topology.nodes.find((n) => n.id === id);
    if (actor === undefined || node === undefined) return undefined;
    return { actor, node, transitions: this.rec.transitions.filter((t) => t.actor === id).slice(-100) };
  }

  transitions(): Transition[] {
    return this.rec.transitions.slice(-1000);
  }

  recording(): Recording {
    return this.rec;
  }
}
