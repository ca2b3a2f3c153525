import type { Runtime } from '../runtime/runtime.js';

/** Records per second over `ms`, rounded to what a reader compares. */
function rate(count: number, ms: number): string {
  if (ms <= 0 || count === 0) return '0';
  const perSecond = (count * 1000) / ms;
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** Megabytes per second over `ms`. */
function megabytesPerSecond(bytes: number, ms: number): string {
  return ms <= 0 ? '0' : ((bytes * 1000) / ms / 1e6).toFixed(1);
}

/**
 * A plain table of what each node did, printed when a run ends: counts, and rates over the run's
 * elapsed time (`elapsedMs`, from start to the end of the drain).
 *
 * @example
 * // elapsed 12.4 s
 * // actor  kind       in     out    in/s   out/s  out MB/s  dead-lettered  dropped  errors
 * // gen    generator  0      50000  0      4032   0.4       0              0        0
 */
export function summaryTable(runtime: Runtime, elapsedMs: number): string {
  const rows = [['actor', 'kind', 'in', 'out', 'in/s', 'out/s', 'out MB/s', 'dead-lettered', 'dropped', 'errors']];
  for (const node of runtime.nodes.values()) {
    const m = node.metrics;
    rows.push([
      node.spec.id,
      node.spec.kind.name,
      String(m.recordsIn),
      String(m.recordsOut),
      rate(m.recordsIn, elapsedMs),
      rate(m.recordsOut, elapsedMs),
      megabytesPerSecond(m.bytesOut, elapsedMs),
      String(runtime.deadLetters.counts.get(node.spec.id) ?? 0),
      String(node.input?.stats.droppedRecords ?? 0),
      String(m.errors),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
  return `elapsed ${(elapsedMs / 1000).toFixed(1)} s\n${table}\n`;
}
