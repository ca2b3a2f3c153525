import type { Role } from '../actors/kind.js';
import type { Topology } from './model.js';

/** What ordering and cycle detection need of an actor. */
export interface GraphNode {
  id: string;
  role: Role;
  inputs: readonly string[];
}

/**
 * The graph by index: each id's first actor, and each actor's consumers (the edges in the
 * direction records flow) as actor indices. A repeated id is one vertex, its first actor.
 */
function adjacency(nodes: readonly GraphNode[]): { first: Map<string, number>; consumers: number[][] } {
  const first = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (!first.has(n.id)) first.set(n.id, i);
  });
  const consumers: number[][] = nodes.map(() => []);
  for (const node of nodes) {
    const self = first.get(node.id) as number;
    for (const input of node.inputs) {
      const from = first.get(input);
      if (from !== undefined) (consumers[from] as number[]).push(self);
    }
  }
  return { first, consumers };
}

/**
 * Every cycle of the graph, one per strongly connected component, as the path records take:
 * `[a, b, a]` when b reads from a and a from b. Each starts at its first actor in `nodes`
 * order and is a shortest cycle through it. Unknown input ids are ignored.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const { consumers } = adjacency(nodes);
  const id = (i: number): string => (nodes[i] as GraphNode).id;
  const cycles: number[][] = [];
  for (const component of stronglyConnected(consumers)) {
    const start = component.reduce((a, b) => Math.min(a, b));
    const selfLoop = (consumers[start] as number[]).includes(start);
    if (component.length === 1 && !selfLoop) continue;
    cycles.push(selfLoop ? [start, start] : shortestCycle(start, new Set(component), consumers));
  }
  return cycles.sort((a, b) => (a[0] as number) - (b[0] as number)).map((cycle) => cycle.map(id));
}

/** Tarjan's algorithm, with an explicit stack: a chain of 100k actors must not overflow the call stack. */
function stronglyConnected(next: readonly number[][]): number[][] {
  const count = next.length;
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const enter = (v: number): void => {
    index[v] = counter;
    low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
  };
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1 || next[root] === undefined) continue;
    const path = [root];
    const edge = [0];
    enter(root);
    while (path.length > 0) {
      const top = path.length - 1;
      const v = path[top] as number;
      const out = next[v] as number[];
      const e = edge[top] as number;
      if (e < out.length) {
        edge[top] = e + 1;
        const w = out[e] as number;
        if (index[w] === -1) {
          enter(w);
          path.push(w);
          edge.push(0);
        } else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      path.pop();
      edge.pop();
      const parent = path[path.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[v] as number);
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack[w] = 0;
        component.push(w);
        if (w === v) break;
      }
      components.push(component);
    }
  }
  return components;
}

/** Breadth-first from `start` back to it, inside one component. */
function shortestCycle(start: number, members: Set<number>, next: readonly number[][]): number[] {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] as number;
    for (const w of next[v] ?? []) {
      if (w === start) {
        const path = [start];
        for (let u: number | undefined = v; u !== undefined && u !== start; u = parent.get(u)) path.splice(1, 0, u);
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
 * and those downstream of one, are left out. A repeated id is placed once, as its first actor.
 */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] {
  // Kahn's algorithm; the ready actors wait in a heap keyed by (rank, file order).
  const { first, consumers } = adjacency(nodes);
  const rank = (n: GraphNode): number => (n.role === 'source' ? 0 : n.inputs.length > 0 ? 1 : 2);
  const key = (i: number): number => rank(nodes[i] as GraphNode) * nodes.length + i;
  const waiting = nodes.map((n, i) => (first.get(n.id) === i ? new Set(n.inputs.filter((input) => first.has(input))).size : -1));
  const ready = new MinHeap();
  waiting.forEach((w, i) => {
    if (w === 0) ready.push(key(i));
  });
  const placed: string[] = [];
  for (let k = ready.pop(); k !== undefined; k = ready.pop()) {
    const i = k % nodes.length;
    placed.push((nodes[i] as GraphNode).id);
    const seen = new Set<number>();
    for (const consumer of consumers[i] as number[]) {
      if (seen.has(consumer)) continue; // an input listed twice counts once
      seen.add(consumer);
      waiting[consumer] = (waiting[consumer] as number) - 1;
      if (waiting[consumer] === 0) ready.push(key(consumer));
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
