import { describe, expect, it } from 'vitest';
import { layeredLayout, type NodeBox } from '../../src/inspect/layout.js';
import { eventLabel, lifecycleGraph } from '../../src/inspect/lifecycle-graph.js';
import { lifecycleMachine } from '../../src/actors/lifecycle.js';

const overlap = (a: NodeBox, b: NodeBox): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function expectNoOverlaps(nodes: Record<string, NodeBox>): void {
  const boxes = Object.entries(nodes);
  for (const [i, [a, boxA]] of boxes.entries()) {
    for (const [b, boxB] of boxes.slice(i + 1)) expect(overlap(boxA, boxB), `${a} overlaps ${b}`).toBe(false);
  }
}

describe('layered layout', () => {
  const diamond = [
    { from: 'src', to: 'a' },
    { from: 'src', to: 'b' },
    { from: 'a', to: 'sink' },
    { from: 'b', to: 'sink' },
    { from: 'src', to: 'sink' },
  ];

  it('puts every node one layer after its furthest input, left to right', () => {
    const l = layeredLayout(['src', 'a', 'b', 'sink'], diamond);
    expect(Object.fromEntries(Object.entries(l.nodes).map(([id, b]) => [id, b.layer]))).toEqual({ src: 0, a: 1, b: 1, sink: 2 });
    expect(l.nodes.src!.x).toBeLessThan(l.nodes.a!.x);
    expect(l.nodes.a!.x).toBeLessThan(l.nodes.sink!.x);
    expectNoOverlaps(l.nodes);
  });

  it('routes an edge that skips a layer through a bend point in the skipped layer', () => {
    const l = layeredLayout(['src', 'a', 'b', 'sink'], diamond);
    const long = l.edges.find((e) => e.from === 'src' && e.to === 'sink');
    expect(long?.points).toHaveLength(3);
    const bend = long?.points[1];
    expect(bend!.x).toBeGreaterThan(l.nodes.src!.x + l.nodes.src!.width);
    expect(bend!.x).toBeLessThan(l.nodes.sink!.x);
  });

  it('starts edges on the right side of their source and ends them on the left side of their target', () => {
    const l = layeredLayout(['gen', 'map'], [{ from: 'gen', to: 'map' }]);
    const [edge] = l.edges;
    expect(edge!.points[0]).toEqual({ x: l.nodes.gen!.x + l.nodes.gen!.width, y: l.nodes.gen!.y + l.nodes.gen!.height / 2 });
    expect(edge!.points[1]).toEqual({ x: l.nodes.map!.x, y: l.nodes.map!.y + l.nodes.map!.height / 2 });
  });

  it('puts a node without edges (the dead-letter sink) in the last layer', () => {
    const l = layeredLayout(['gen', 'map', 'out', 'deadletter'], [
      { from: 'gen', to: 'map' },
      { from: 'map', to: 'out' },
    ]);
    expect(l.nodes.deadletter!.layer).toBe(2);
    expectNoOverlaps(l.nodes);
  });

  it('breaks a cycle by drawing one edge backwards', () => {
    const l = layeredLayout(['a', 'b', 'c'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
    ]);
    expect(l.edges.filter((e) => e.back).map((e) => `${e.from}>${e.to}`)).toEqual(['c>a']);
    const back = l.edges.find((e) => e.back);
    expect(back!.points[0]!.x).toBeGreaterThan(back!.points[back!.points.length - 1]!.x);
  });

  it('keeps pinned layers, draws same-layer edges straight across and twins side by side', () => {
    const l = layeredLayout(['a', 'b', 'c'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
      { from: 'a', to: 'c' },
    ], { direction: 'TB', layers: { a: 0, b: 0, c: 1 } });
    expect([l.nodes.a!.layer, l.nodes.b!.layer, l.nodes.c!.layer]).toEqual([0, 0, 1]);
    const ab = l.edges.find((e) => e.from === 'a' && e.to === 'b')!;
    const ba = l.edges.find((e) => e.from === 'b' && e.to === 'a')!;
    expect(ab.points).toHaveLength(2);
    expect(ab.points[0]!.y).toBe(ab.points[1]!.y);
    expect(ab.points[0]!.y).not.toBe(ba.points[0]!.y);
  });

  it('gives nodes their own sizes and fits every box and bend inside the drawing', () => {
    const l = layeredLayout(['a', 'big', 'c'], [
      { from: 'a', to: 'big' },
      { from: 'big', to: 'c' },
      { from: 'a', to: 'c' },
    ], { sizes: { big: { width: 300, height: 120 } } });
    expect(l.nodes.big).toMatchObject({ width: 300, height: 120 });
    expectNoOverlaps(l.nodes);
    for (const b of Object.values(l.nodes)) {
      expect(b.x + b.width).toBeLessThanOrEqual(l.width);
      expect(b.y + b.height).toBeLessThanOrEqual(l.height);
    }
    for (const p of l.edges.flatMap((e) => e.points)) expect(p.y).toBeLessThanOrEqual(l.height);
  });
});

describe('lifecycle diagram', () => {
  it('names XState events by the state they belong to', () => {
    expect(eventLabel('xstate.done.actor.0.lifecycle.connecting')).toBe('connecting.done');
    expect(eventLabel('xstate.error.actor.0.lifecycle.draining')).toBe('draining.error');
    expect(eventLabel('xstate.after.reconnect.lifecycle.backoff')).toBe('backoff.after');
    expect(eventLabel('xstate.init')).toBe('init');
    expect(eventLabel('BLOCKED')).toBe('BLOCKED');
  });

  it('draws every transition the machine defines, with the compound state around its children', () => {
    const g = lifecycleGraph();
    const defined = Object.values(lifecycleMachine.root.states).flatMap((s) => [s, ...Object.values(s.states)]).flatMap((s) => [...s.transitions.keys()].map((type) => `${s.key}:${eventLabel(type)}`));
    const drawn = g.transitions.flatMap((t) => t.events.map((e) => `${t.from}:${e}`));
    expect(new Set(drawn)).toEqual(new Set(defined));
    expect(g.transitions).toContainEqual({ from: 'connecting', to: 'online', events: ['connecting.done'] });
    const online = g.layout.nodes.online!;
    for (const child of ['running', 'paused']) {
      const box = g.layout.nodes[child]!;
      expect(box.x).toBeGreaterThanOrEqual(online.x);
      expect(box.x + box.width).toBeLessThanOrEqual(online.x + online.width);
      expect(box.y + box.height).toBeLessThanOrEqual(online.y + online.height);
    }
    expect(g.states.find((s) => s.id === 'failed')).toEqual({ id: 'failed', final: true, parent: null, compound: false });
  });
});
