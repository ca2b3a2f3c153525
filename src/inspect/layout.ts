/** A point of a laid-out edge, in layout coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** Where one node sits: its top-left corner, size and layer (0 = first). */
export interface NodeBox {
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
}

/** One edge as drawn: a polyline from the source's side to the target's side. */
export interface EdgePath {
  from: string;
  to: string;
  points: Point[];
  /** The edge closes a cycle: it was laid out against the flow and runs backwards. */
  back: boolean;
}

/** A computed layered drawing of a directed graph. */
export interface Layout {
  direction: 'LR' | 'TB';
  width: number;
  height: number;
  nodes: Record<string, NodeBox>;
  edges: EdgePath[];
}

/** Sizes and direction of a layout. */
export interface LayoutOptions {
  direction?: 'LR' | 'TB';
  nodeWidth?: number;
  nodeHeight?: number;
  /** Space between layers. */
  layerGap?: number;
  /** Space between nodes of one layer. */
  nodeGap?: number;
  margin?: number;
  /** Fixed layers for some nodes; an edge between two nodes of one layer is drawn straight across. */
  layers?: Record<string, number>;
  /** Sizes of nodes that differ from nodeWidth × nodeHeight. */
  sizes?: Record<string, { width: number; height: number }>;
}

interface Edge {
  from: string;
  to: string;
}

/** Edges that close a cycle in depth-first order; reversing them leaves a DAG. */
function backEdges(ids: readonly string[], edges: readonly Edge[]): Set<number> {
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  edges.forEach((e, i) => out.get(e.from)?.push(i));
  const state = new Map<string, 'open' | 'done'>();
  const back = new Set<number>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    for (const i of out.get(id) ?? []) {
      const to = (edges[i] as Edge).to;
      if (state.get(to) === 'open') back.add(i);
      else if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return back;
}

/**
 * Longest-path layering of a DAG, keeping the pinned layers; nodes without any edge go to the
 * last layer.
 */
function assignLayers(ids: readonly string[], dag: readonly Edge[], pinned: Record<string, number>): Map<string, number> {
  const layer = new Map<string, number>(ids.map((id) => [id, pinned[id] ?? 0]));
  for (let changed = true, rounds = 0; changed && rounds <= ids.length; rounds++) {
    changed = false;
    for (const e of dag) {
      const want = (layer.get(e.from) ?? 0) + 1;
      if (e.from !== e.to && pinned[e.to] === undefined && want > (layer.get(e.to) ?? 0)) {
        layer.set(e.to, want);
        changed = true;
      }
    }
  }
  const linked = new Set(dag.flatMap((e) => [e.from, e.to]));
  const last = Math.max(0, ...layer.values());
  for (const id of ids) if (!linked.has(id) && ids.length > 1 && pinned[id] === undefined) layer.set(id, last);
  return layer;
}

/** Orders each layer by the barycenter of its neighbours, sweeping down and up. */
function orderLayers(layers: string[][], links: readonly Edge[]): void {
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of links) {
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
  }
  const sweep = (layer: string[], ref: string[], neighbours: Map<string, string[]>): void => {
    const pos = new Map(ref.map((id, i) => [id, i]));
    const key = new Map<string, number>();
    layer.forEach((id, i) => {
      const ns = (neighbours.get(id) ?? []).map((n) => pos.get(n)).filter((p): p is number => p !== undefined);
      key.set(id, ns.length === 0 ? i : ns.reduce((a, b) => a + b, 0) / ns.length);
    });
    layer.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
  };
  for (let round = 0; round < 6; round++) {
    for (let l = 1; l < layers.length; l++) sweep(layers[l] as string[], layers[l - 1] as string[], preds);
    for (let l = layers.length - 2; l >= 0; l--) sweep(layers[l] as string[], layers[l + 1] as string[], succs);
  }
}

/**
 * Centres across the layers: each node near the mean of its neighbours in the layer before
 * (alternately after), pushed apart just enough not to overlap, each layer shifted as a whole to
 * stay closest to what its nodes wanted. Virtual nodes take little room.
 */
function placeLayers(layers: string[][], links: readonly Edge[], size: (id: string) => number, gap: number): Map<string, number> {
  const pos = new Map<string, number>();
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of links) {
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
  }
  const place = (layer: string[], neighbours: Map<string, string[]>): void => {
    const want = layer.map((id) => {
      const ns = (neighbours.get(id) ?? []).map((n) => pos.get(n)).filter((p): p is number => p !== undefined);
      return ns.length === 0 ? pos.get(id) : ns.reduce((a, b) => a + b, 0) / ns.length;
    });
    const got: number[] = [];
    layer.forEach((id, i) => {
      const prev = layer[i - 1];
      const min = prev === undefined ? -Infinity : (got[i - 1] as number) + (size(prev) + size(id)) / 2 + gap;
      got.push(Math.max(want[i] ?? min, min === -Infinity ? 0 : min));
    });
    const moved = want.flatMap((w, i) => (w === undefined ? [] : [(got[i] as number) - w]));
    const shift = moved.length === 0 ? 0 : moved.reduce((a, b) => a + b, 0) / moved.length;
    layer.forEach((id, i) => pos.set(id, (got[i] as number) - shift));
  };
  for (const layer of layers) place(layer, preds);
  for (let l = layers.length - 2; l >= 0; l--) place(layers[l] as string[], succs);
  for (const layer of layers.slice(1)) place(layer, preds);
  const min = Math.min(...[...pos].map(([id, p]) => p - size(id) / 2));
  for (const [id, p] of pos) pos.set(id, p - min);
  return pos;
}

/** Moves an edge that has a twin in the other direction to one side, so the two do not overlap. */
function offsetTwin(path: EdgePath, twins: boolean): EdgePath {
  if (!twins) return path;
  const first = path.points[0] as Point;
  const last = path.points[path.points.length - 1] as Point;
  const shift = path.from < path.to ? -6 : 6;
  const across = Math.abs(last.x - first.x) >= Math.abs(last.y - first.y);
  return { ...path, points: path.points.map((p) => (across ? { x: p.x, y: p.y + shift } : { x: p.x + shift, y: p.y })) };
}

/**
 * A layered (Sugiyama-style) drawing of a directed graph: cycles are broken by reversing
 * depth-first back edges (or, with pinned layers, edges that run against them), nodes are layered
 * by longest path, long edges get virtual nodes, layers are ordered by barycenters to reduce
 * crossings, and nodes sit near their neighbours. Edges in both directions between two nodes are
 * drawn side by side.
 *
 * @example
 * const l = layeredLayout(['gen', 'map', 'out'], [{ from: 'gen', to: 'map' }, { from: 'map', to: 'out' }]);
 * l.nodes.map.layer; // 1
 */
export function layeredLayout(ids: readonly string[], edges: readonly Edge[], options: LayoutOptions = {}): Layout {
  const o = { direction: 'LR' as const, nodeWidth: 180, nodeHeight: 72, layerGap: 80, nodeGap: 28, margin: 24, layers: {}, sizes: {}, ...options };
  const pinned: Record<string, number> = o.layers;
  const bothPinned = (e: Edge): boolean => pinned[e.from] !== undefined && pinned[e.to] !== undefined;
  const flat = new Set(edges.flatMap((e, i) => (bothPinned(e) && pinned[e.from] === pinned[e.to] ? [i] : [])));
  const dfsBack = backEdges(ids, edges.filter((_, i) => !flat.has(i)));
  const layered = edges.flatMap((e, i) => (flat.has(i) ? [] : [i]));
  const back = new Set(layered.filter((i, k) => (bothPinned(edges[i] as Edge) ? (pinned[(edges[i] as Edge).from] as number) > (pinned[(edges[i] as Edge).to] as number) : dfsBack.has(k))));
  const dag = layered.map((i) => (back.has(i) ? { from: (edges[i] as Edge).to, to: (edges[i] as Edge).from } : (edges[i] as Edge)));
  const layerOf = assignLayers(ids, dag, pinned);
  const layers: string[][] = [];
  for (const id of ids) (layers[layerOf.get(id) ?? 0] ??= []).push(id);
  for (let l = 0; l < layers.length; l++) layers[l] ??= [];
  const chains = new Map<number, string[]>();
  const links: Edge[] = [];
  dag.forEach((e, k) => {
    const chain = [e.from];
    for (let l = (layerOf.get(e.from) ?? 0) + 1; l < (layerOf.get(e.to) ?? 0); l++) {
      const virtual = `\u0000${k}:${l}`;
      (layers[l] as string[]).push(virtual);
      layerOf.set(virtual, l);
      chain.push(virtual);
    }
    chain.push(e.to);
    for (let j = 1; j < chain.length; j++) links.push({ from: chain[j - 1] as string, to: chain[j] as string });
    chains.set(layered[k] as number, chain);
  });
  orderLayers(layers, links);
  const horizontal = o.direction === 'LR';
  const isVirtual = (id: string): boolean => id.startsWith('\u0000');
  const sizeOf = (id: string): { width: number; height: number } => (isVirtual(id) ? { width: 4, height: 4 } : (o.sizes[id] ?? { width: o.nodeWidth, height: o.nodeHeight }));
  const across = (id: string): number => (horizontal ? sizeOf(id).height : sizeOf(id).width);
  const along = (id: string): number => (horizontal ? sizeOf(id).width : sizeOf(id).height);
  const thickness = layers.map((layer) => Math.max(0, ...layer.filter((id) => !isVirtual(id)).map(along)));
  const start: number[] = [];
  thickness.reduce((offset, t, l) => ((start[l] = offset), offset + t + o.layerGap), o.margin);
  const pos = placeLayers(layers, links, across, o.nodeGap);
  /** Top-left of a node's box, centred in its layer (a virtual node is a point). */
  const at = (id: string): Point => {
    const l = layerOf.get(id) ?? 0;
    const a = (start[l] ?? 0) + ((thickness[l] ?? 0) - (isVirtual(id) ? 0 : along(id))) / 2;
    const c = o.margin + (pos.get(id) ?? 0) - (isVirtual(id) ? 0 : across(id) / 2);
    return horizontal ? { x: Math.round(a), y: Math.round(c) } : { x: Math.round(c), y: Math.round(a) };
  };
  const nodes: Record<string, NodeBox> = {};
  for (const id of ids) nodes[id] = { ...at(id), ...sizeOf(id), layer: layerOf.get(id) ?? 0 };
  const side = (id: string, where: 'exit' | 'entry' | 'before' | 'after'): Point => {
    const p = at(id);
    const { width, height } = sizeOf(id);
    const forward = where === 'exit' || where === 'after';
    const mainAxis = where === 'exit' || where === 'entry';
    if (horizontal === mainAxis) return { x: p.x + (forward ? width : 0), y: p.y + height / 2 };
    return { x: p.x + width / 2, y: p.y + (forward ? height : 0) };
  };
  const twins = new Set(edges.map((e) => `${e.from}>${e.to}`));
  const paths: EdgePath[] = edges.map((e, i) => {
    const chain = chains.get(i);
    if (chain === undefined) {
      const ahead = (pos.get(e.from) ?? 0) < (pos.get(e.to) ?? 0);
      const points = [side(e.from, ahead ? 'after' : 'before'), side(e.to, ahead ? 'before' : 'after')];
      return offsetTwin({ from: e.from, to: e.to, points, back: false }, twins.has(`${e.to}>${e.from}`));
    }
    const points = [side(chain[0] as string, 'exit'), ...chain.slice(1, -1).map(at), side(chain[chain.length - 1] as string, 'entry')];
    return offsetTwin({ from: e.from, to: e.to, points: back.has(i) ? points.reverse() : points, back: back.has(i) }, twins.has(`${e.to}>${e.from}`));
  });
  const boxes = Object.values(nodes);
  const bends = paths.flatMap((p) => p.points);
  const width = Math.max(0, ...boxes.map((b) => b.x + b.width), ...bends.map((p) => p.x)) + o.margin;
  const height = Math.max(0, ...boxes.map((b) => b.y + b.height), ...bends.map((p) => p.y)) + o.margin;
  return { direction: o.direction, width, height, nodes, edges: paths };
}
