import type { Role } from '../actors/kind.js';
import { layeredLayout, type NodeBox, type Point } from '../inspect/layout.js';
import type { NodeSpec, Topology } from '../topology/model.js';

/** Fill and stroke of a node. */
interface Palette {
  fill: string;
  stroke: string;
}

const palettes: Record<Role | 'deadletter', Palette> = {
  source: { fill: '#e6f4ea', stroke: '#2e7d32' },
  stage: { fill: '#e8f0fe', stroke: '#1a56c4' },
  sink: { fill: '#fef3e0', stroke: '#b06000' },
  deadletter: { fill: '#fce8e6', stroke: '#b3261e' },
};

const font = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const fontSize = 13;
/** Advance of one character of the monospace font at {@link fontSize}, with some slack. */
const charWidth = 8;
const nodeHeight = 44;
const titleHeight = 32;
const legendHeight = 36;

/**
 * Text escaped for XML content and attribute values.
 *
 * @example
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * The label of a node, as in the Mermaid and DOT output: `id (kind ×N)`, N being the replicas
 * that run (an hdfs source runs one per configured poller).
 */
export function nodeLabel(node: NodeSpec): string {
  return `${node.id} (${node.kind.name} ×${node.replicas})`;
}

function paletteOf(node: NodeSpec): Palette {
  return node.kind.inputs === 'none' ? palettes.deadletter : palettes[node.role];
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

/** The outline of a node by role: stadium (source), rounded box (stage), cylinder (sink). */
function shape(role: Role, b: Pick<NodeBox, 'x' | 'y' | 'width' | 'height'>, p: Palette): string {
  const paint = `fill="${p.fill}" stroke="${p.stroke}" stroke-width="1.5"`;
  if (role === 'source') {
    return `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="${n(b.height / 2)}" ${paint}/>`;
  }
  if (role === 'stage') {
    return `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="5" ${paint}/>`;
  }
  const rx = b.width / 2;
  const ry = Math.min(7, b.height / 5);
  const [left, right, top, bottom] = [b.x, b.x + b.width, b.y + ry, b.y + b.height - ry];
  const body = `M${n(left)},${n(top)} A${n(rx)},${n(ry)} 0 0 1 ${n(right)},${n(top)} V${n(bottom)} A${n(rx)},${n(ry)} 0 0 1 ${n(left)},${n(bottom)} Z`;
  const rim = `M${n(left)},${n(top)} A${n(rx)},${n(ry)} 0 0 0 ${n(right)},${n(top)}`;
  return `<path d="${body}" ${paint}/><path d="${rim}" fill="none" stroke="${p.stroke}" stroke-width="1.5"/>`;
}

function edgePath(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ');
}

function tooltip(node: NodeSpec): string {
  const replicas = node.replicas;
  const parts = [`${node.id}: ${node.role} of kind ${node.kind.name}`, `${replicas} replica${replicas === 1 ? '' : 's'}`];
  if (node.inputs.length > 0) parts.push(`inputs: ${node.inputs.join(', ')}`);
  return parts.join('; ');
}

function legend(y: number): string[] {
  const items: [string, Role, Palette][] = [
    ['source', 'source', palettes.source],
    ['stage', 'stage', palettes.stage],
    ['sink', 'sink', palettes.sink],
    ['dead-letter sink', 'sink', palettes.deadletter],
  ];
  let x = 24;
  const out: string[] = [`<g class="legend" font-size="11">`];
  for (const [text, role, palette] of items) {
    out.push(`  ${shape(role, { x, y, width: 28, height: 18 }, palette)}`);
    out.push(`  <text x="${x + 34}" y="${y + 13}">${escapeXml(text)}</text>`);
    x += 34 + text.length * 7 + 20;
  }
  out.push('</g>');
  return out;
}

/**
 * A self-contained SVG drawing of the topology, laid out in layers from left to right by the
 * inspector's layered layout (no external tools): sources as green stadiums, stages as blue
 * boxes, sinks as orange cylinders (the dead-letter sink red), each labelled `id (kind ×N)`
 * with a tooltip, edges in the direction records flow with arrowheads, and a legend.
 *
 * @example
 * await writeFile('topology.svg', toSvg(topology));
 */
export function toSvg(topology: Topology): string {
  const longest = Math.max(12, ...topology.nodes.map((node) => nodeLabel(node).length));
  const nodeWidth = longest * charWidth + 32;
  const edges = topology.nodes.flatMap((node) => node.inputs.map((from) => ({ from, to: node.id })));
  const layout = layeredLayout(
    topology.nodes.map((node) => node.id),
    edges,
    { direction: 'LR', nodeWidth, nodeHeight, layerGap: 72, nodeGap: 24, margin: 24 },
  );
  const width = Math.max(layout.width, 480);
  const height = titleHeight + layout.height + legendHeight;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="${font}" font-size="${fontSize}">`,
    `<title>${escapeXml(`millrace topology ${topology.name}`)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 Z" fill="#5f6368"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="24" y="22" font-size="15" font-weight="bold">${escapeXml(topology.name)}</text>`,
    `<g transform="translate(0,${titleHeight})">`,
    `<g class="edges" fill="none" stroke="#5f6368" stroke-width="1.5">`,
  ];
  for (const edge of layout.edges) {
    const dash = edge.back ? ' stroke-dasharray="5,4"' : '';
    lines.push(`  <path d="${edgePath(edge.points)}"${dash} marker-end="url(#arrow)"><title>${escapeXml(`${edge.from} → ${edge.to}`)}</title></path>`);
  }
  lines.push('</g>', '<g class="nodes">');
  for (const node of topology.nodes) {
    const box = layout.nodes[node.id];
    if (box === undefined) continue;
    lines.push(`  <g class="node ${node.role}" data-id="${escapeXml(node.id)}">`);
    lines.push(`    <title>${escapeXml(tooltip(node))}</title>`);
    lines.push(`    ${shape(node.role, box, paletteOf(node))}`);
    const textY = box.y + box.height / 2 + (node.role === 'sink' ? 7 : 4.5);
    lines.push(`    <text x="${n(box.x + box.width / 2)}" y="${n(textY)}" text-anchor="middle" fill="#202124">${escapeXml(nodeLabel(node))}</text>`);
    lines.push('  </g>');
  }
  lines.push('</g>', '</g>', ...legend(titleHeight + layout.height + 6), '</svg>', '');
  return lines.join('\n');
}
