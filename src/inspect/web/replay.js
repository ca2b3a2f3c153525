/* global setInterval, clearInterval */
// Replay of a recording: the state of every actor at any instant, rebuilt from the metrics frames
// (one a second) and the transitions (exact), and the time slider that scrubs through it.

import { actorState, clock, el } from './format.js';

/** Index of the last item whose `ts` is at most `t`, or -1. */
function lastAtOrBefore(items, t) {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].ts <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** What the page shows at an instant of a recording. */
export class Replay {
  constructor(recording) {
    this.rec = recording;
    this.start = recording.startedAt;
    this.end = Math.max(recording.endedAt, recording.startedAt + 1);
  }

  /** The actors (with sparkline history), the transitions so far and the health at `t`. */
  at(t) {
    const frames = this.rec.metrics;
    const i = lastAtOrBefore(frames, t);
    const frame = i >= 0 ? frames[i] : undefined;
    const transitions = this.rec.transitions.slice(0, lastAtOrBefore(this.rec.transitions, t) + 1);
    const states = new Map();
    for (const tr of transitions) states.set(`${tr.actor}#${tr.replica}`, tr);
    const actors = new Map();
    for (const node of this.rec.topology.nodes) {
      const base = frame?.actors.find((a) => a.id === node.id);
      const actor = base ? { ...base } : this.empty(node);
      actor.replicas = (base?.replicas ?? actor.replicas).map((r) => {
        const last = states.get(`${node.id}#${r.replica}`);
        return last ? { ...r, state: last.to, since: last.ts } : { ...r };
      });
      actor.state = actorState(actor.replicas.map((r) => r.state));
      actor.history = this.history(frames, i, node.id);
      actors.set(node.id, actor);
    }
    return { ts: t, actors, transitions, health: t >= this.end ? this.rec.health : (frame?.health ?? { status: 'running' }) };
  }

  /** Records per second between the frames of the minute before frame `i`. */
  history(frames, i, id) {
    const recordsIn = [];
    const recordsOut = [];
    for (let k = Math.max(1, i - 59); k <= i; k++) {
      const a = frames[k - 1].actors.find((x) => x.id === id);
      const b = frames[k].actors.find((x) => x.id === id);
      const seconds = Math.max(0.001, (frames[k].ts - frames[k - 1].ts) / 1000);
      recordsIn.push(a && b ? (b.records.in - a.records.in) / seconds : 0);
      recordsOut.push(a && b ? (b.records.out - a.records.out) / seconds : 0);
    }
    return { recordsIn, recordsOut };
  }

  empty(node) {
    const zero = { windowMs: 0, recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0 };
    const replicas = Array.from({ length: node.replicas }, (_, replica) => ({ replica, state: 'idle', since: null, restarts: 0, lastError: null, status: null }));
    const channel = node.role === 'source' ? null : { depthRecords: 0, capacityRecords: node.channel.maxRecords, depthBytes: 0, capacityBytes: node.channel.maxBytes, queuedBatches: 0, inflightBatches: 0, overflow: node.channel.overflow, producersBlockedMs: 0, dropped: 0, redelivered: 0 };
    return { id: node.id, kind: node.kind, role: node.role, state: 'idle', replicas, restarts: 0, errors: 0, lastError: null, records: { in: 0, out: 0 }, bytes: { in: 0, out: 0 }, rates: zero, channel, blockedMs: 0, dropped: 0, deadLettered: 0 };
  }
}

/** The play button, speed choice and slider under the graph; calls `onTime(t)` as it moves. */
export function replayControls(container, replay, onTime) {
  const play = el('button', { type: 'button', class: 'play', text: '▶', 'aria-label': 'play' });
  const speed = el('select', { 'aria-label': 'speed' }, [1, 5, 20, 60].map((s) => el('option', { value: s, text: `${s}×` })));
  const slider = el('input', { type: 'range', min: replay.start, max: replay.end, step: 10, value: replay.end, 'aria-label': 'time' });
  const label = el('span', { class: 'time' });
  container.replaceChildren(play, speed, slider, label);
  container.hidden = false;
  let timer;
  const show = () => {
    const t = Number(slider.value);
    label.textContent = `${clock(t)}  +${((t - replay.start) / 1000).toFixed(1)} s / ${((replay.end - replay.start) / 1000).toFixed(1)} s`;
    onTime(t);
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    play.textContent = '▶';
  };
  play.addEventListener('click', () => {
    if (timer !== undefined) return stop();
    if (Number(slider.value) >= replay.end) slider.value = String(replay.start);
    play.textContent = '❚❚';
    timer = setInterval(() => {
      const next = Math.min(replay.end, Number(slider.value) + 100 * Number(speed.value));
      slider.value = String(next);
      show();
      if (next >= replay.end) stop();
    }, 100);
  });
  slider.addEventListener('input', () => {
    stop();
    show();
  });
  show();
}
