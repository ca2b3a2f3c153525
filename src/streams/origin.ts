/**
 * Where a batch's records come from, so that a sink can tell a record redelivered after a crash
 * from a new one (exactly-once sinks). See docs/decisions/exactly-once-sinks.md.
 *
 * A source that re-reads deterministically from its committed point names an ordered stream (a
 * file incarnation, a topic partition) and gives each record a number that grows along it (a byte
 * offset, a message offset). The batch covers the stream's records in `(start, end]`: what reaches
 * a sink under this origin is everything that came of them for that sink.
 */
export interface Origin {
  /**
   * `<source actor>/<source's stream>`, then `>stage` per stage passed and `!actor` for records
   * that actor rejected: two paths from one source into one sink are two streams.
   */
  readonly stream: string;
  readonly start: number;
  readonly end: number;
  /**
   * Each record's own position in `(start, end]`, increasing, while records are still the
   * source's own (one per record). Stages drop it: their output is no longer 1:1 with it.
   */
  readonly positions?: readonly number[];
}

/** What a source's read says of its origin: its stream and each record's position. */
export interface SourceOrigin {
  readonly stream: string;
  /** The position just before the first record (where the previous read of the stream ended). */
  readonly start: number;
  /** The position of the last record read (records the source rejected included). */
  readonly end: number;
  readonly positions: readonly number[];
}

/** The origin of a source actor's read. */
export function fromSource(actor: string, o: SourceOrigin | undefined): Origin | undefined {
  return o === undefined ? undefined : { stream: `${actor}/${o.stream}`, start: o.start, end: o.end, positions: o.positions };
}

/** The origin of what a stage made of a whole batch (not of a piece of a streamed output). */
export function throughStage(o: Origin | undefined, stage: string): Origin | undefined {
  return o === undefined ? undefined : { stream: `${o.stream}>${stage}`, start: o.start, end: o.end };
}

/** The origin of the records `actor` rejected from a batch (its dead letters). */
export function rejectedBy(o: Origin | undefined, actor: string): Origin | undefined {
  return o === undefined ? undefined : { stream: `${o.stream}!${actor}`, start: o.start, end: o.end };
}

/**
 * The origin of records `[from, to)` of a batch split in pieces: exact with per-record positions,
 * none without (a piece cannot claim the whole range).
 */
export function sliceOrigin(o: Origin | undefined, from: number, to: number): Origin | undefined {
  const p = o?.positions;
  if (o === undefined || p === undefined || to <= from) return undefined;
  const start = from === 0 ? o.start : (p[from - 1] as number);
  const end = to === p.length ? o.end : (p[to - 1] as number);
  return { stream: o.stream, start, end, positions: p.slice(from, to) };
}
