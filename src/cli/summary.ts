import type { Runtime } from '../runtime/runtime.js';

/** A plain table of what each node did, printed when a run ends. */
export function summaryTable(runtime: Runtime): string {
  const rows = [['actor', 'kind', 'in', 'out', 'dead-lettered', 'dropped', 'errors']];
  for (const node of runtime.nodes.values()) {
    const m = node.metrics;
    rows.push([
      node.spec.id,
      node.spec.kind.name,
      String(m.recordsIn),
      String(m.recordsOut),
      String(runtime.deadLetters.counts.get(node.spec.id) ?? 0),
      String(node.input?.stats.droppedRecords ?? 0),
      String(m.errors),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n') + '\n';
}
