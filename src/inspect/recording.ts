import type { ActorView, HealthView, TopologyView, Transition } from './types.js';

/** Metrics of every actor at one instant, as the recorder writes them once a second. */
export interface MetricsFrame {
  ts: number;
  health: HealthView;
  actors: ActorView[];
}

/**
 * One line of a recording (JSON lines). A run starts with `start` (the topology), then
 * transitions and metric frames in time order, and ends with `end` when it stopped cleanly.
 */
export type RecordingLine =
  | { type: 'start'; ts: number; topology: TopologyView }
  | ({ type: 'transition' } & Transition)
  | ({ type: 'metrics' } & MetricsFrame)
  | { type: 'end'; ts: number; health: HealthView };

/** A recorded run, as `/api/recording` serves it to the page's time slider. */
export interface Recording {
  topology: TopologyView;
  startedAt: number;
  /** The last instant recorded (the `end` line, or the last line of a run that was killed). */
  endedAt: number;
  health: HealthView;
  transitions: Transition[];
  metrics: MetricsFrame[];
  /** Runs in the file; the recording is the last one. */
  runs: number;
}

function withoutType<T extends { type: string }>(line: T): Omit<T, 'type'> {
  const copy: Partial<T> = { ...line };
  delete copy.type;
  return copy as Omit<T, 'type'>;
}

/**
 * Reads a recording file's text: the last run in it (recordings append, so a file may hold
 * several). A torn last line, left by a killed process, is skipped; any other bad line throws
 * with its line number.
 *
 * @example
 * const rec = parseRecording(readFileSync('run.jsonl', 'utf8'));
 * rec.transitions.filter((t) => t.to === 'failed');
 */
export function parseRecording(text: string): Recording {
  const lines = text.split('\n');
  let current: Recording | undefined;
  let runs = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: RecordingLine;
    try {
      parsed = JSON.parse(line) as RecordingLine;
    } catch (error) {
      if (lines.slice(i + 1).every((l) => l.trim() === '')) return;
      throw new Error(`recording line ${i + 1} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    if (parsed.type === 'start') {
      runs += 1;
      current = { topology: parsed.topology, startedAt: parsed.ts, endedAt: parsed.ts, health: { status: 'running' }, transitions: [], metrics: [], runs };
      return;
    }
    if (current === undefined) throw new Error(`recording line ${i + 1} comes before any "start" line`);
    if (parsed.type === 'transition') {
      const t = withoutType(parsed);
      current.transitions.push(t);
      current.endedAt = Math.max(current.endedAt, t.ts);
    } else if (parsed.type === 'metrics') {
      const frame = withoutType(parsed);
      current.metrics.push(frame);
      current.health = frame.health;
      current.endedAt = Math.max(current.endedAt, frame.ts);
    } else if (parsed.type === 'end') {
      current.health = parsed.health;
      current.endedAt = Math.max(current.endedAt, parsed.ts);
    }
  });
  if (current === undefined) throw new Error('the recording holds no run (no "start" line)');
  return { ...current, runs };
}
