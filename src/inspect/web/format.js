/* global document */
// Shared formatting and colours of the web inspector.

/** Colour of each lifecycle state (also used by the legend and the state machine diagram). */
export const stateColors = {
  running: '#3fb950',
  paused: '#d29922',
  backoff: '#f0883e',
  connecting: '#58a6ff',
  idle: '#7d8fb3',
  draining: '#a371f7',
  stopped: '#6e7681',
  failed: '#f85149',
};

/** States from most to least telling, as the server orders them. */
export const stateOrder = ['failed', 'backoff', 'connecting', 'paused', 'draining', 'running', 'idle', 'stopped'];

export function stateColor(state) {
  return stateColors[state] ?? '#7d8fb3';
}

/** The state an actor shows for its replicas' states. */
export function actorState(states) {
  let best = states[0] ?? 'idle';
  const rank = (s) => (stateOrder.includes(s) ? stateOrder.indexOf(s) : stateOrder.length);
  for (const s of states) if (rank(s) < rank(best)) best = s;
  return best;
}

/** 999, 12.3k, 4.56M. */
export function compact(n) {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]]) {
    if (abs >= size) {
      const v = n / size;
      return `${v.toFixed(Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0)}${unit}`;
    }
  }
  return String(n);
}

export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function clock(ts) {
  const d = new Date(ts);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Creates an element (HTML, or SVG when `svg`), sets attributes and appends children. */
export function el(tag, attrs = {}, children = [], svg = false) {
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'class') node.setAttribute('class', v);
    else node.setAttribute(k, String(v));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** An SVG element. */
export function svg(tag, attrs = {}, children = []) {
  return el(tag, attrs, children, true);
}

/**
 * A smooth SVG path through layout points (a Catmull-Rom spline as cubic Béziers) that leaves
 * its first point and enters its last along the layout's main axis, so edges meet boxes square.
 * Two points on one horizontal or vertical line give a straight line.
 */
export function curve(points, direction) {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first) return '';
  if (points.length === 2 && (first.x === last.x || first.y === last.y)) return `M${first.x},${first.y} L${last.x},${last.y}`;
  const reach = Math.max(Math.abs(last.x - first.x), Math.abs(last.y - first.y)) / 2;
  const along = (p, sign) => (direction === 'TB' ? { x: p.x, y: p.y + sign * reach } : { x: p.x + sign * reach, y: p.y });
  const forward = direction === 'TB' ? Math.sign(last.y - first.y) || 1 : Math.sign(last.x - first.x) || 1;
  const pts = [along(first, -forward), ...points, along(last, forward)];
  let d = `M${first.x},${first.y}`;
  for (let i = 1; i < pts.length - 2; i++) {
    const [p0, p1, p2, p3] = [pts[i - 1], pts[i], pts[i + 1], pts[i + 2]];
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${c1.x.toFixed(1)},${c1.y.toFixed(1)} ${c2.x.toFixed(1)},${c2.y.toFixed(1)} ${p2.x},${p2.y}`;
  }
  return d;
}
