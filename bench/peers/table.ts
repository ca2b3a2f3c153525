/** Medians of a peer's runs, the derived rates and ratios, and the printed table. */
import type { RunOnce } from './run-once.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export interface PeerSummary {
  workload: string;
  case: string;
  peer: string;
  records: number;
  /** Record values (LFs not counted), MiB. */
  valueMiB: number;
  /** Medians over the rounds. Rates are per wall second from process start (start-up included). */
  mbPerSec: number;
  recordsPerSec: number;
  /** Throughput over millrace's in the same workload and case. */
  ratio: number;
  /** The rate from the first records at the destination to the last (null if too short to tell). */
  steadyMbPerSec: number | null;
  steadyRatio: number | null;
  /** Seconds from process start to the first records at the destination. */
  startupSeconds: number;
  /** CPU of the peer's process tree per GiB of values: whole run, and steady window. */
  cpuSecondsPerGiB: number;
  steadyCpuSecondsPerGiB: number | null;
  /** CPU the broker spent per GiB during the run. */
  brokerCpuSecondsPerGiB: number | null;
  /** Largest summed RSS of the peer's process tree (median over the rounds). */
  peakRssMB: number;
  runs: RunOnce[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** A run's steady window is used only when it covers at least half the records over 1 s or more. */
function steadyUsable(r: RunOnce, records: number): boolean {
  return r.steadySeconds >= 1 && r.recordsBeforeSteady <= records / 2;
}

export function summarize(workload: string, kase: string, peer: string, records: number, valueBytes: number, runs: RunOnce[]): PeerSummary {
  const gib = valueBytes / GiB;
  const steady = runs.filter((r) => steadyUsable(r, records));
  const steadyShare = (r: RunOnce): number => (records - r.recordsBeforeSteady) / records;
  const brokers = runs.map((r) => r.brokerCpuSeconds).filter((x): x is number => x !== undefined);
  const wall = median(runs.map((r) => r.wallSeconds));
  return {
    workload,
    case: kase,
    peer,
    records,
    valueMiB: round(valueBytes / MiB, 1),
    mbPerSec: round(valueBytes / MiB / wall),
    recordsPerSec: Math.round(records / wall),
    ratio: NaN,
    steadyMbPerSec: steady.length === 0 ? null : round(median(steady.map((r) => (valueBytes * steadyShare(r)) / MiB / r.steadySeconds))),
    steadyRatio: null,
    startupSeconds: round(median(runs.map((r) => r.wallSeconds - r.steadySeconds))),
    cpuSecondsPerGiB: round(median(runs.map((r) => r.cpuSeconds)) / gib, 1),
    steadyCpuSecondsPerGiB: steady.length === 0 ? null : round(median(steady.map((r) => r.steadyCpuSeconds / (gib * steadyShare(r)))), 1),
    brokerCpuSecondsPerGiB: brokers.length === 0 ? null : round(median(brokers) / gib, 1),
    peakRssMB: Math.round(median(runs.map((r) => r.peakRssMB))),
    runs: runs.map((r) => ({ ...r, wallSeconds: round(r.wallSeconds, 3), steadySeconds: round(r.steadySeconds, 3), cpuSeconds: round(r.cpuSeconds), steadyCpuSeconds: round(r.steadyCpuSeconds), peakRssMB: Math.round(r.peakRssMB) })),
  };
}

/** Fills in the ratios against the millrace row of the same workload and case. */
export function withRatios(rows: PeerSummary[]): PeerSummary[] {
  return rows.map((row) => {
    const ref = rows.find((r) => r.workload === row.workload && r.case === row.case && r.peer === 'millrace');
    if (ref === undefined) return row;
    const steadyRatio = row.steadyMbPerSec !== null && ref.steadyMbPerSec !== null ? round(row.steadyMbPerSec / ref.steadyMbPerSec) : null;
    return { ...row, ratio: round(row.mbPerSec / ref.mbPerSec), steadyRatio };
  });
}

export function formatTable(rows: readonly PeerSummary[]): string {
  const head = ['workload', 'case', 'peer', 'MB/s', 'rec/s', 'x millrace', 'steady MB/s', 'steady x', 'start s', 'CPU-s/GB', 'steady CPU-s/GB', 'broker CPU-s/GB', 'peak RSS MB'];
  const show = (x: number | null): string => (x === null || Number.isNaN(x) ? '-' : String(x));
  const body = rows.map((r) => [
    r.workload,
    r.case,
    r.peer,
    show(r.mbPerSec),
    show(r.recordsPerSec),
    show(r.ratio),
    show(r.steadyMbPerSec),
    show(r.steadyRatio),
    show(r.startupSeconds),
    show(r.cpuSecondsPerGiB),
    show(r.steadyCpuSecondsPerGiB),
    show(r.brokerCpuSecondsPerGiB),
    show(r.peakRssMB),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}
