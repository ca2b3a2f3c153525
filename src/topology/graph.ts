import type { Role } from '../actors/kind.js';
import type { Topology } from './model.js';

/** What ordering and cycle detection need of an actor. */
export interface GraphNode {
  id: string;
  role: Role;
  inputs: readonly string[];
}

/** Consumers of each id: the edges in the direction records flow. */
function consumerMap(nodes: readonly GraphNode[]): Map<string, string[]> {
  const known = new Set(nodes.map((n) => n.id));
  const consumers = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const node of nodes) {
    for (const input of node.inputs) if (known.has(input)) consumers.get(input)?.push(node.id);
  }
  return consumers;
}

/**
 * Every cycle of the graph, one per strongly connected component, as the path records take:
 * `[a, b, a]` when b reads from a and a from b. Each starts at its first actor in `nodes`
 * order and is a shortest cycle through it. Unknown input ids are ignored.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const consumers = consumerMap(nodes);
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const cycles: string[][] = [];
  for (const component of stronglyConnected(
    nodes.map((n) => n.id),
    consumers,
  )) {
    const start = component.reduce((a, b) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? a : b));
    const members = new Set(component);
    const selfLoop = consumers.get(start)?.includes(start) ?? false;
    if (component.length === 1 && !selfLoop) continue;
    cycles.push(selfLoop ? [start, start] : shortestCycle(start, members, consumers));
  }
  return cycles.sort((a, b) => (order.get(a[0] ?? '') ?? 0) - (order.get(b[0] ?? '') ?? 0));
}

/** Tarjan's algorithm. */
function stronglyConnected(ids: readonly string[], next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return components;
}

/** Breadth-first from `start` back to it, inside one component. */
function shortestCycle(start: string, members: Set<string>, next: Map<string, string[]>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] ?? start;
    for (const w of next.get(v) ?? []) {
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = parent.get(u))
          path.splice(1, 0, u);
        return [...path, start];
      }
      if (members.has(w) && !parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Ids in topological order: sources first (file order), then each actor once all its inputs
 * are placed (earliest in file order first), and actors without inputs that are not
 * sources (the dead-letter sink) only when nothing else is ready: last. Actors on a cycle,
 * and those downstream of one, are left out.
 */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] {
  // Kahn's algorithm; the ready actors wait in a heap keyed by (rank, file order).
  const known = new Set(nodes.map((n) => n.id));
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const rank = (n: GraphNode): number => (n.role === 'source' ? 0 : n.inputs.length > 0 ? 1 : 2);
  const key = (i: number): number => rank(nodes[i] as GraphNode) * nodes.length + i;
  const waiting = nodes.map((n) => new Set(n.inputs.filter((i) => known.has(i))).size);
  const consumers = consumerMap(nodes);
  const ready = new MinHeap();
  waiting.forEach((w, i) => {
    if (w === 0) ready.push(key(i));
  });
  const placed: string[] = [];
  const done = new Set<string>();
  for (let k = ready.pop(); k !== undefined; k = ready.pop()) {
    const node = nodes[k % nodes.length] as GraphNode;
    if (done.has(node.id)) continue; // a duplicate id: placed once, as before
    done.add(node.id);
    placed.push(node.id);
    for (const consumer of new Set(consumers.get(node.id))) {
      const i = index.get(consumer) as number;
      waiting[i] = (waiting[i] as number) - 1;
      if (waiting[i] === 0) ready.push(key(i));
    }
  }
  return placed;
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as number) <= x) break;
      a[i] = a[parent] as number;
      a[parent] = x;
      i = parent;
    }
  }

  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && (a[l] as number) < (a[m] as number)) m = l;
      if (r < a.length && (a[r] as number) < (a[m] as number)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as number, a[i] as number];
      i = m;
    }
    return top;
  }
}

const label = (t: Topology, id: string): string => {
  const node = t.nodes.find((n) => n.id === id);
  return node ? `${node.id} (${node.kind.name} ×${node.replicas})` : id;
};

/**
 * A Mermaid flowchart of the topology: sources as stadiums, stages as rectangles, sinks as
 * cylinders, each labelled `id (kind ×replicas)`, edges in the direction records flow.
 *
 * @example
 * toMermaid(topology); // 'flowchart LR\n  n0(["gen (generator ×1)"])\n ...'
 */
export function toMermaid(topology: Topology): string {
  const ids = new Map(topology.nodes.map((n, i) => [n.id, `n${i}`]));
  const shapes: Record<Role, [string, string]> = {
    source: ['([', '])'],
    stage: ['[', ']'],
    sink: ['[(', ')]'],
  };
  const lines = ['---', `title: ${JSON.stringify(topology.name)}`, '---', 'flowchart LR'];
  for (const node of topology.nodes) {
    const [open, close] = shapes[node.role];
    const text = label(topology, node.id).replaceAll('"', '#quot;');
    lines.push(`  ${ids.get(node.id)}${open}"${text}"${close}`);
  }
  for (const node of topology.nodes) {
    for (const input of node.inputs) lines.push(`  ${ids.get(input)} --> ${ids.get(node.id)}`);
  }
  return lines.join('\n');
}

/**
 * A Graphviz digraph of the topology: sources as ovals, stages as boxes, sinks as
 * cylinders, each labelled `id (kind ×replicas)`.
 *
 * @example
 * toDot(topology); // 'digraph "demo" {\n  rankdir=LR;\n  "gen" [label="gen (generator ×1)", shape=oval];\n ...'
 */
export function toDot(topology: Topology): string {
  const q = (text: string): string => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const shapes: Record<Role, string> = { source: 'oval', stage: 'box', sink: 'cylinder' };
  const lines = [`digraph ${q(topology.name)} {`, '  rankdir=LR;'];
  for (const node of topology.nodes) {
    lines.push(
      `  ${q(node.id)} [label=${q(label(topology, node.id))}, shape=${shapes[node.role]}];`,
    );
  }
  for (const node of topology.nodes) {
    for (const input of node.inputs) lines.push(`  ${q(input)} -> ${q(node.id)};`);
  }
  lines.push('}');
  return lines.join('\n');
}
