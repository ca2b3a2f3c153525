import type { ActorsResponse, ActorView } from '../inspect/types.js';

const stateColors: Record<string, number> = {
  running: 32,
  paused: 33,
  backoff: 33,
  connecting: 36,
  idle: 36,
  draining: 35,
  stopped: 90,
  failed: 31,
  finished: 90,
  unreachable: 31,
  degraded: 33,
};

/**
 * A count or rate in 4 characters or so: 999, 12.3k, 4.56M.
 *
 * @example
 * compact(12345); // '12.3k'
 */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (abs >= size) {
      const v = n / size;
      return `${v.toFixed(Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0)}${unit}`;
    }
  }
  return String(n);
}

function depth(a: ActorView): string {
  if (a.channel === null) return '-';
  const pct = a.channel.capacityRecords === 0 ? 0 : Math.round((a.channel.depthRecords / a.channel.capacityRecords) * 100);
  return `${compact(a.channel.depthRecords)}/${compact(a.channel.capacityRecords)} ${pct}%`;
}

/**
 * Rows as aligned text columns: the first row is the header (bold with `color`); columns in
 * `right` are right-aligned; `colorOf(row, column, cell)` may give an ANSI color for a body cell.
 */
export function alignRows(rows: string[][], right: ReadonlySet<number>, color: boolean, colorOf: (row: number, column: number, cell: string) => number | undefined): string[] {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows.map((row, r) =>
    row
      .map((cell, i) => {
        const padded = right.has(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number);
        if (!color) return padded;
        if (r === 0) return `\x1b[1m${padded}\x1b[0m`;
        const code = colorOf(r - 1, i, cell);
        return code === undefined ? padded : `\x1b[${code}m${padded}\x1b[0m`;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The ANSI color of an actor or process state. */
export function stateColor(state: string): number | undefined {
  return stateColors[state];
}

/**
 * The `millrace top` table: one row per actor with its kind, state (and replica count), rates
 * over the inspector's window, input channel depth against capacity, restarts and errors. With
 * `color`, states are colored with ANSI codes.
 */
export function topTable(name: string, res: ActorsResponse, color: boolean): string {
  const rows: string[][] = [['ACTOR', 'KIND', 'STATE', 'IN/S', 'OUT/S', 'DEPTH/CAPACITY', 'RESTARTS', 'ERRORS']];
  for (const a of res.actors) {
    const replicas = a.replicas.length > 1 ? ` ×${a.replicas.length}` : '';
    rows.push([a.id, a.kind, `${a.state}${replicas}`, compact(a.rates.recordsIn), compact(a.rates.recordsOut), depth(a), String(a.restarts), String(a.errors)]);
  }
  const lines = alignRows(rows, new Set([3, 4, 5, 6, 7]), color, (r, i, cell) =>
    i === 2 ? stateColor(res.actors[r]?.state ?? '') : i === 7 && cell !== '0' ? 31 : undefined,
  );
  const window = res.actors[0]?.rates.windowMs ?? 0;
  const title = `millrace top: ${name}  ${res.health.status}${res.health.error ? ` (${res.health.error})` : ''}  ${new Date(res.ts).toISOString()}  rates over ${Math.round(window / 1000)}s`;
  return `${title}\n\n${lines.join('\n')}\n`;
}
