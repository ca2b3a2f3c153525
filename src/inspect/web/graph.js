/* global ResizeObserver */
// The live topology graph: the server's layered layout drawn in SVG, one card per actor coloured
// by state, with replica dots, a throughput sparkline, a channel fill bar and restart/error badges.

import { compact, curve, stateColor, svg } from './format.js';

const sparkWidth = 64;
const sparkHeight = 16;

function sparkPath(values, close) {
  if (values.length < 2) return '';
  const max = Math.max(1, ...values);
  const step = sparkWidth / (values.length - 1);
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(sparkHeight - (v / max) * sparkHeight).toFixed(1)}`);
  return close ? `M0,${sparkHeight} L${pts.join(' L')} L${sparkWidth},${sparkHeight} Z` : `M${pts.join(' L')}`;
}

function fillColor(ratio) {
  if (ratio >= 0.9) return '#f85149';
  if (ratio >= 0.6) return '#d29922';
  return '#3fb950';
}

/** Draws a topology once and updates its cards from actor views. */
export class TopologyGraph {
  constructor(container, topology, onSelect) {
    this.container = container;
    this.layout = topology.layout;
    this.cards = new Map();
    this.edges = [];
    this.root = svg('svg', { class: 'graph', role: 'img', 'aria-label': `topology ${topology.name}` });
    const first = Object.values(this.layout.nodes)[0] ?? { width: 0, height: 0 };
    const defs = svg('defs', {}, [
      svg('clipPath', { id: 'card-clip' }, [svg('rect', { width: first.width, height: first.height, rx: 10 })]),
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' })]),
    ]);
    this.root.append(defs);
    const edgeLayer = svg('g', { class: 'edges' });
    const cardLayer = svg('g', { class: 'cards' });
    this.root.append(edgeLayer, cardLayer);
    for (const e of this.layout.edges) {
      const path = svg('path', { d: curve(e.points, this.layout.direction), class: 'edge', 'marker-end': 'url(#arrow)' });
      const label = svg('text', { class: 'edge-label', 'text-anchor': 'middle' });
      edgeLayer.append(path, label);
      this.edges.push({ from: e.from, path, label, points: e.points });
    }
    for (const node of topology.nodes) cardLayer.append(this.card(node, onSelect));
    container.replaceChildren(this.root);
    new ResizeObserver(() => this.fit()).observe(container);
    this.fit();
  }

  card(node, onSelect) {
    const box = this.layout.nodes[node.id];
    const w = box.width;
    const h = box.height;
    const c = {};
    c.group = svg('g', { class: `actor${node.deadLetter ? ' deadletter' : ''}`, transform: `translate(${box.x},${box.y})`, 'data-actor': node.id, tabindex: 0 });
    c.title = svg('title', { text: node.id });
    c.frame = svg('rect', { class: 'frame', width: w, height: h, rx: 10 });
    c.strip = svg('rect', { class: 'strip', x: 0, y: 0, width: 6, height: h, 'clip-path': 'url(#card-clip)' });
    const name = svg('text', { class: 'name', x: 16, y: 24, text: node.id });
    const kind = svg('text', { class: 'kind', x: 16, y: 41, text: `${node.kind}${node.replicas > 1 ? ` ×${node.replicas}` : ''}` });
    c.pill = svg('rect', { class: 'pill', y: 11, height: 18, rx: 9 });
    c.pillText = svg('text', { class: 'pill-text', y: 24, 'text-anchor': 'middle' });
    c.dots = Array.from({ length: node.replicas }, (_, i) => svg('circle', { class: 'dot', cx: 20 + i * 10, cy: 57, r: 3.5 }));
    c.sparkArea = svg('path', { class: 'spark-area' });
    c.sparkLine = svg('path', { class: 'spark-line' });
    const spark = svg('g', { transform: `translate(${w - sparkWidth - 12},${h - 38})` }, [c.sparkArea, c.sparkLine]);
    c.rate = svg('text', { class: 'rate', x: w - 12 - sparkWidth - 8, y: h - 24, 'text-anchor': 'end' });
    const barWidth = w - 28 - 40;
    c.barBack = svg('rect', { class: 'bar-back', x: 16, y: h - 14, width: barWidth, height: 5, rx: 2.5 });
    c.bar = svg('rect', { class: 'bar', x: 16, y: h - 14, width: 0, height: 5, rx: 2.5 });
    c.barText = svg('text', { class: 'bar-text', x: w - 12, y: h - 9, 'text-anchor': 'end' });
    c.barWidth = barWidth;
    c.restarts = this.badge(w - 4, -6, 'badge restarts');
    c.errors = this.badge(w - 36, -6, 'badge errors');
    c.group.append(c.title, c.frame, c.strip, name, kind, c.pill, c.pillText, ...c.dots, spark, c.rate, c.barBack, c.bar, c.barText, c.errors.g, c.restarts.g);
    if (node.role === 'source') for (const n of [c.barBack, c.bar, c.barText]) n.setAttribute('visibility', 'hidden');
    const select = () => onSelect(node.id);
    c.group.addEventListener('click', select);
    c.group.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && select());
    c.width = w;
    this.cards.set(node.id, c);
    return c.group;
  }

  badge(x, y, cls) {
    const circle = svg('rect', { x: -14, y: -9, width: 28, height: 18, rx: 9 });
    const text = svg('text', { y: 4, 'text-anchor': 'middle' });
    const g = svg('g', { class: cls, transform: `translate(${x},${y})`, visibility: 'hidden' }, [circle, text]);
    return { g, text };
  }

  /** Scales the drawing to its container, never above 1.3×. */
  fit() {
    const { width, height } = this.layout;
    const cw = this.container.clientWidth || width;
    const ch = this.container.clientHeight || height;
    const scale = Math.min(cw / width, ch / height, 1.3);
    const vw = cw / scale;
    const vh = ch / scale;
    this.root.setAttribute('viewBox', `${(width - vw) / 2} ${(height - vh) / 2} ${vw} ${vh}`);
  }

  /** Updates every card and edge from `actors` (a Map of id to actor view). */
  update(actors, selected) {
    for (const [id, c] of this.cards) {
      const a = actors.get(id);
      c.group.classList.toggle('selected', id === selected);
      if (!a) continue;
      const color = stateColor(a.state);
      c.group.dataset.state = a.state;
      c.frame.setAttribute('stroke', color);
      c.strip.setAttribute('fill', color);
      c.pillText.textContent = a.state;
      const pillWidth = 14 + a.state.length * 6.5;
      c.pill.setAttribute('x', c.width - 10 - pillWidth);
      c.pill.setAttribute('width', pillWidth);
      c.pill.setAttribute('fill', color);
      c.pillText.setAttribute('x', c.width - 10 - pillWidth / 2);
      a.replicas.forEach((r, i) => c.dots[i]?.setAttribute('fill', stateColor(r.state)));
      const series = a.role === 'sink' ? a.history?.recordsIn : a.history?.recordsOut;
      c.sparkArea.setAttribute('d', sparkPath((series ?? []).slice(-30), true));
      c.sparkLine.setAttribute('d', sparkPath((series ?? []).slice(-30), false));
      c.rate.textContent = `${compact(a.role === 'sink' ? a.rates.recordsIn : a.rates.recordsOut)}/s`;
      const ratio = a.channel && a.channel.capacityRecords > 0 ? Math.min(1, a.channel.depthRecords / a.channel.capacityRecords) : 0;
      c.bar.setAttribute('width', (c.barWidth * ratio).toFixed(1));
      c.bar.setAttribute('fill', fillColor(ratio));
      c.barText.textContent = a.channel ? `${Math.round(ratio * 100)}%` : '';
      this.setBadge(c.restarts, a.restarts, `↻${a.restarts}`);
      this.setBadge(c.errors, a.errors, `!${a.errors}`);
      c.title.textContent = `${a.id} (${a.kind}): ${a.state}\nin ${compact(a.rates.recordsIn)}/s, out ${compact(a.rates.recordsOut)}/s` + (a.channel ? `\nchannel ${a.channel.depthRecords}/${a.channel.capacityRecords} records` : '') + (a.lastError ? `\nlast error: ${a.lastError.message}` : '');
    }
    for (const e of this.edges) {
      const a = actors.get(e.from);
      const rate = a ? a.rates.recordsOut : 0;
      e.path.classList.toggle('flowing', rate > 0);
      const mid = e.points[Math.floor((e.points.length - 1) / 2)];
      const next = e.points[Math.floor((e.points.length - 1) / 2) + 1] ?? mid;
      e.label.setAttribute('x', ((mid.x + next.x) / 2).toFixed(1));
      e.label.setAttribute('y', ((mid.y + next.y) / 2 - 6).toFixed(1));
      e.label.textContent = rate > 0 ? `${compact(rate)}/s` : '';
    }
  }

  setBadge(badge, n, text) {
    badge.g.setAttribute('visibility', n > 0 ? 'visible' : 'hidden');
    badge.text.textContent = text;
  }
}
