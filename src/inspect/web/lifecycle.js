// The lifecycle state machine of the selected actor, drawn from the machine's own definition
// (served by /api/lifecycle), with the states its replicas are in lit and the last transition
// highlighted.

import { curve, stateColor, svg } from './format.js';

/** Draws the lifecycle diagram once; {@link LifecycleDiagram.update} lights the current states. */
export class LifecycleDiagram {
  constructor(graph) {
    const { layout } = graph;
    this.states = new Map();
    this.edges = new Map();
    this.parent = new Map(graph.states.map((s) => [s.id, s.parent]));
    this.root = svg('svg', { class: 'lifecycle', viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'img', 'aria-label': 'lifecycle state machine' });
    this.root.append(svg('defs', {}, [svg('marker', { id: 'lc-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, [svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'lc-arrowhead' })])]));
    for (const s of graph.states.filter((x) => x.compound)) {
      const box = layout.nodes[s.id];
      const rect = svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 10, class: 'lc-compound' });
      const label = svg('text', { x: box.x + 10, y: box.y + 12, class: 'lc-compound-label', text: s.id });
      this.states.set(s.id, { g: svg('g', { class: 'lc-group', 'data-state': s.id }, [rect, label]), compound: true });
      this.root.append(this.states.get(s.id).g);
    }
    for (const [i, t] of graph.transitions.entries()) {
      const e = layout.edges[i];
      const path = svg('path', { d: curve(e.points, layout.direction), class: 'lc-edge', 'marker-end': 'url(#lc-arrow)' }, [svg('title', { text: `${t.from} → ${t.to}: ${t.events.join(', ')}` })]);
      this.root.append(path);
      this.edges.set(`${t.from}>${t.to}`, path);
    }
    for (const s of graph.states.filter((x) => !x.compound)) {
      const box = layout.nodes[s.id];
      const rect = svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: s.final ? 4 : 14, class: `lc-state${s.final ? ' final' : ''}` });
      const label = svg('text', { x: box.x + box.width / 2, y: box.y + box.height / 2 + 4, 'text-anchor': 'middle', class: 'lc-label', text: s.id });
      const g = svg('g', { class: 'lc-node', 'data-state': s.id }, [rect, label]);
      this.root.append(g);
      this.states.set(s.id, { g, rect, label, compound: false });
    }
  }

  /** The drawn arrow of a transition between flat states (`running → draining` is drawn from `online`). */
  edgeOf(t) {
    for (const from of [t.from, this.parent.get(t.from)]) {
      for (const to of [t.to, this.parent.get(t.to)]) {
        const path = from && to ? this.edges.get(`${from}>${to}`) : undefined;
        if (path) return path;
      }
    }
    return undefined;
  }

  /** Lights the states the replicas are in (with a count when several share one) and the last transition. */
  update(replicaStates, last) {
    const counts = new Map();
    for (const s of replicaStates) {
      counts.set(s, (counts.get(s) ?? 0) + 1);
      const parent = this.parent.get(s);
      if (parent) counts.set(parent, (counts.get(parent) ?? 0) + 1);
    }
    for (const [id, s] of this.states) {
      const n = counts.get(id) ?? 0;
      s.g.classList.toggle('current', n > 0);
      if (s.compound) continue;
      s.rect.style.fill = n > 0 ? stateColor(id) : '';
      s.rect.style.stroke = stateColor(id);
      s.label.textContent = n > 1 ? `${id} ×${n}` : id;
    }
    const lit = last ? this.edgeOf(last) : undefined;
    for (const path of this.edges.values()) path.classList.toggle('last', path === lit);
  }
}
