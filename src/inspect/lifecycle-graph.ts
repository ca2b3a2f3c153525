import type { AnyStateNode } from 'xstate';
import { lifecycleMachine } from '../actors/lifecycle.js';
import { layeredLayout, type Layout, type NodeBox } from './layout.js';

/** One arrow of the lifecycle diagram: every event that leads from one state to another. */
export interface LifecycleEdge {
  from: string;
  to: string;
  events: string[];
}

/** A state of the diagram; a compound state (`online`) is drawn as a box around its children. */
export interface LifecycleState {
  id: string;
  final: boolean;
  /** The compound state this one is drawn inside, if any. */
  parent: string | null;
  compound: boolean;
}

/** The lifecycle machine as the inspector draws it: states, merged arrows, a layout. */
export interface LifecycleGraph {
  states: LifecycleState[];
  transitions: LifecycleEdge[];
  layout: Layout;
}

/**
 * A short name for a lifecycle event: user events keep their type (`START`, `BLOCKED`); XState's
 * own events are named by the state they belong to (`connecting.done`, `draining.error`,
 * `backoff.after`, `init`).
 *
 * @example
 * eventLabel('xstate.done.actor.0.lifecycle.connecting'); // 'connecting.done'
 */
export function eventLabel(type: string): string {
  if (!type.startsWith('xstate.')) return type;
  if (type === 'xstate.init') return 'init';
  const state = type.slice(type.lastIndexOf('.') + 1);
  if (type.startsWith('xstate.done.')) return `${state}.done`;
  if (type.startsWith('xstate.error.')) return `${state}.error`;
  if (type.startsWith('xstate.after.')) return `${state}.after`;
  return type.slice('xstate.'.length);
}

/** Rows of the diagram: the way through a healthy run goes down, detours sit beside it. */
const rows: Record<string, number> = { idle: 0, connecting: 1, backoff: 1, online: 2, draining: 3, stopped: 4, failed: 4 };
const state = { width: 96, height: 30 };
const child = { width: 84, height: 28, gap: 26, pad: 10, label: 16 };

/** Every event leading from `owner` to another state, keyed by the two states drawn. */
function arrows(owner: AnyStateNode, drawn: (target: AnyStateNode) => string, into: Map<string, LifecycleEdge>): void {
  for (const [type, definitions] of owner.transitions) {
    for (const definition of definitions) {
      for (const target of definition.target ?? []) {
        const to = drawn(target);
        const key = `${owner.key}>${to}`;
        const edge = into.get(key) ?? { from: owner.key, to, events: [] };
        const label = eventLabel(type);
        if (!edge.events.includes(label)) edge.events.push(label);
        into.set(key, edge);
      }
    }
  }
}

/**
 * Reads the states and transitions of the lifecycle machine itself, so the diagram never drifts
 * from the code: top-level states laid out in rows (see {@link layeredLayout}), a compound
 * state's children side by side inside its box, arrows between the same two states merged.
 * Memoized: the machine does not change at run time.
 */
export function lifecycleGraph(): LifecycleGraph {
  cached ??= readGraph();
  return cached;
}

let cached: LifecycleGraph | undefined;

function readGraph(): LifecycleGraph {
  const top = Object.values(lifecycleMachine.root.states);
  const topOf = (n: AnyStateNode): string => {
    let s = n;
    while (s.parent !== undefined && s.parent !== lifecycleMachine.root) s = s.parent;
    return s.key;
  };
  const outer = new Map<string, LifecycleEdge>();
  const inner = new Map<string, LifecycleEdge>();
  const states: LifecycleState[] = [];
  const sizes: Record<string, { width: number; height: number }> = {};
  for (const node of top) {
    const children = Object.values(node.states);
    states.push({ id: node.key, final: node.type === 'final', parent: null, compound: children.length > 0 });
    arrows(node, topOf, outer);
    if (children.length === 0) continue;
    sizes[node.key] = { width: children.length * child.width + (children.length - 1) * child.gap + 2 * child.pad, height: child.label + child.height + child.pad };
    for (const c of children) {
      states.push({ id: c.key, final: c.type === 'final', parent: node.key, compound: false });
      arrows(c, (t) => t.key, inner);
    }
  }
  const ids = top.map((n) => n.key);
  const layers = Object.fromEntries(ids.flatMap((id) => (rows[id] === undefined ? [] : [[id, rows[id] as number]])));
  const layout = layeredLayout(ids, [...outer.values()], { direction: 'TB', nodeWidth: state.width, nodeHeight: state.height, layerGap: 30, nodeGap: 18, margin: 12, layers, sizes });
  for (const s of states) {
    if (s.parent === null) continue;
    const box = layout.nodes[s.parent] as NodeBox;
    const index = states.filter((o) => o.parent === s.parent).indexOf(s);
    layout.nodes[s.id] = { x: box.x + child.pad + index * (child.width + child.gap), y: box.y + child.label, width: child.width, height: child.height, layer: box.layer };
  }
  for (const e of inner.values()) {
    const a = layout.nodes[e.from] as NodeBox;
    const b = layout.nodes[e.to] as NodeBox;
    const right = a.x < b.x;
    const dy = right ? -5 : 5;
    const y = a.y + a.height / 2 + dy;
    layout.edges.push({ from: e.from, to: e.to, back: false, points: [{ x: right ? a.x + a.width : a.x, y }, { x: right ? b.x : b.x + b.width, y }] });
  }
  return { states, transitions: [...outer.values(), ...inner.values()], layout };
}
