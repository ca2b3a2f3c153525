import { describe, expect, it } from 'vitest';
import { toSvg } from '../../src/authoring/graph-svg.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { loadTopology, parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { checkXml } from './xml.js';

const diamond = [
  'name: "logs <prod> & \'test\'"',
  'sources:',
  '  gen: { kind: generator, count: 10 }',
  'stages:',
  '  left: { kind: map, inputs: [gen], module: m.mjs, replicas: 3 }',
  '  right: { kind: filter, inputs: [gen], module: f.mjs }',
  '  join: { kind: map, inputs: [left, right], module: m.mjs }',
  'sinks:',
  '  out: { kind: file, inputs: [join], path: out.jsonl }',
  '  dlq: { kind: deadletter }',
  '',
].join('\n');

function parse(text: string): Topology {
  const result = parseTopology(text, 'diamond.yaml', {});
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

describe('the XML checker the SVG tests rely on', () => {
  it('rejects mismatched tags, unescaped ampersands, unquoted attributes and two roots', () => {
    expect(() => checkXml('<svg><g></svg>')).toThrow('</svg> closes <g>');
    expect(() => checkXml('<svg><text>a & b</text></svg>')).toThrow('unescaped &');
    expect(() => checkXml('<svg width=10></svg>')).toThrow('malformed attributes');
    expect(() => checkXml('<svg/><svg/>')).toThrow('more than one root');
    expect(checkXml('<?xml version="1.0"?><svg a="&lt;"><t>x &amp; y</t></svg>').map((e) => e.name)).toEqual(['svg', 't']);
  });
});

describe('millrace graph --format svg', () => {
  it.each([
    ['examples/generator-demo.yaml', ['events (generator ×1)', 'enrich (map ×2)', 'warnings (filter ×1)', 'all (file ×1)', 'warn (file ×1)']],
    ['topology.yaml', ['pollers (hdfs ×4)', 'decompress (decompress ×2)', 'transcode (transcode ×2)', 'distribute (distribute ×1)', 'split-a (split ×1)', 'split-b (split ×1)', 'parse (parse ×2)', 'db (database ×1)']],
  ])('draws %s as well-formed SVG with every actor labelled id (kind ×replicas that run)', async (file, expected) => {
    const loaded = await loadTopology(new URL(`../../${file}`, import.meta.url).pathname);
    if (!loaded.ok) throw new Error(formatTopologyErrors(loaded.errors));
    const elements = checkXml(toSvg(loaded.topology));
    expect(elements[0]?.name).toBe('svg');
    expect(elements[0]?.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    const labels = elements.filter((e) => e.name === 'text' && e.attributes['text-anchor'] === 'middle').map((e) => e.text);
    expect(labels.sort()).toEqual([...expected].sort());
  });

  it('has one node group per actor, shaped by role, and one arrowed edge per input', () => {
    const topology = parse(diamond);
    const elements = checkXml(toSvg(topology));
    const nodes = elements.filter((e) => e.attributes.class?.startsWith('node '));
    expect(nodes.map((e) => [e.attributes['data-id'], e.attributes.class])).toEqual([
      ['gen', 'node source'],
      ['left', 'node stage'],
      ['right', 'node stage'],
      ['join', 'node stage'],
      ['out', 'node sink'],
      ['dlq', 'node sink'],
    ]);
    const edges = elements.filter((e) => e.name === 'path' && e.attributes['marker-end'] === 'url(#arrow)');
    expect(edges).toHaveLength(5);
    expect(elements.some((e) => e.name === 'marker' && e.attributes.id === 'arrow')).toBe(true);
    expect(elements.filter((e) => e.name === 'text').map((e) => e.text)).toContain('left (map ×3)');
  });

  it('lays actors out left to right in the direction records flow, without overlaps', () => {
    const elements = checkXml(toSvg(parse(diamond)));
    const box = new Map<string, { x: number; y: number; w: number; h: number }>();
    let current: string | undefined;
    for (const e of elements) {
      if (e.attributes['data-id'] !== undefined) current = e.attributes['data-id'];
      else if (current !== undefined && (e.name === 'rect' || e.name === 'path') && !box.has(current)) {
        const d = e.attributes.d;
        const start = d === undefined ? undefined : /^M([\d.]+),([\d.]+)/.exec(d);
        const x = Number(e.attributes.x ?? start?.[1]);
        box.set(current, { x, y: Number(e.attributes.y ?? start?.[2]), w: Number(e.attributes.width ?? 0), h: Number(e.attributes.height ?? 0) });
      }
    }
    const x = (id: string): number => box.get(id)?.x ?? Number.NaN;
    expect(x('gen')).toBeLessThan(x('left'));
    expect(x('left')).toBe(x('right'));
    expect(x('right')).toBeLessThan(x('join'));
    expect(x('join')).toBeLessThan(x('out'));
    const left = box.get('left');
    const right = box.get('right');
    expect(left && right && Math.abs(left.y - right.y) >= left.h).toBe(true);
  });

  it('escapes the topology name in the title', () => {
    const svg = toSvg(parse(diamond));
    const title = checkXml(svg).find((e) => e.name === 'title');
    expect(title?.text).toBe("millrace topology logs <prod> & 'test'");
    expect(svg).not.toContain('<prod>');
  });
});
