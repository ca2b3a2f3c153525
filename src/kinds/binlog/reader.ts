import type ZongJi from '@vlasky/zongji';
import type { ActorContext, SourceIO, SourceRead } from '../../actors/io.js';
import { InvalidConfig, NotConnected, errorMessage } from '../../core/errors.js';
import { isConnectionError } from '../../db/connection-errors.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { BinlogSourceConfig } from './config.js';
import { isBinlogPosition, positionLabel, type BinlogPosition } from '../../cdc/position.js';
import { Heartbeats } from '../../cdc/heartbeats.js';
import { checkServer, serverAddress, type ServerAddress } from '../../cdc/server-checks.js';
import { TableSnapshot } from '../../cdc/snapshot.js';
import { WatchRules, type WatchRule } from '../../cdc/watch.js';
import { watchRuleProblems, watchSnapshot } from '../../cdc/watch-table.js';
import {
  TransactionAssembler,
  type TableFilter,
  type Transaction,
} from '../../cdc/transactions.js';

/** Events the reader needs; others are not decoded. */
const events = [
  'rotate',
  'mariadbgtid',
  'gtid',
  'anonymousgtid',
  'tablemap',
  'writerows',
  'updaterows',
  'deleterows',
  'xid',
  'query',
];

/** The filter of `databases` and `tables` (`db.table`, `db.*`). */
export function tableFilter(config: Pick<BinlogSourceConfig, 'databases' | 'tables'>): TableFilter {
  const dbs = config.databases === undefined ? undefined : new Set(config.databases);
  const tables = config.tables === undefined ? undefined : new Set(config.tables);
  return (database, table) =>
    (dbs === undefined || dbs.has(database)) &&
    (tables === undefined || tables.has(`${database}.${table}`) || tables.has(`${database}.*`));
}

/** A MariaDB GTID position (`domain-server-seq` per domain), which the server can resume from. */
function isMariadbGtid(gtid: string): boolean {
  return /^\d+-\d+-\d+(,\d+-\d+-\d+)*$/.test(gtid);
}

/** The server's answer to a binlog request it cannot serve (ER_MASTER_FATAL_ERROR_READING_BINLOG). */
function isBinlogReadError(error: unknown): boolean {
  return (error as { errno?: unknown }).errno === 1236;
}

function purgedGtid(saved: BinlogPosition, files: string[], cause: unknown): InvalidConfig {
  return new InvalidConfig(
    `binlog source: the saved position ${positionLabel(saved)} is no longer on the server (purged; oldest binlog is ${files[0] ?? 'none'}): ${errorMessage(cause)}; changes since then are lost to this source: remove its checkpoint to start again from start: current/earliest`,
    { cause },
  );
}

/**
 * Follows a server's binlog from the saved position: whole transactions queue up as they commit,
 * `read` hands out one or more of them, and `commit` saves the position after the last one once
 * downstream acknowledged it. A restart resumes exactly there: no transaction is split, skipped
 * or (once committed) read again.
 */
export class BinlogReader implements SourceIO<BinlogPosition> {
  private zongji: ZongJi | undefined;
  private readonly queue: Transaction[] = [];
  private queuedRows = 0;
  private paused = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** The position after the last transaction handed out by `read`: where a reconnect resumes. */
  private handedOut: BinlogPosition | undefined;
  private committed: BinlogPosition | undefined;
  private closed = false;
  private readonly heartbeats: Heartbeats | undefined;
  /** The initial snapshot while its batches are being handed out. */
  private snapshot:
    | {
        at: BinlogPosition;
        table: TableSnapshot;
        batches: AsyncGenerator<{ records: LogRecord[]; last: boolean }>;
        rows: number;
      }
    | undefined;
  /** Watch rules that give no metric, by rule id, with why (warned once each, shown in status). */
  private readonly watchProblems = new Map<number, string>();

  constructor(
    private readonly config: BinlogSourceConfig,
    private readonly ctx: ActorContext,
  ) {
    this.heartbeats =
      config.heartbeatMs === undefined
        ? undefined
        : new Heartbeats(config.heartbeatMs, config.tables ?? [], Date.now());
  }

  async connect(): Promise<void> {
    await this.stop();
    this.closed = false;
    this.failure = undefined;
    this.queue.length = 0;
    this.queuedRows = 0;
    const saved = this.ctx.checkpoint.get();
    const resume = this.handedOut ?? (isBinlogPosition(saved) ? saved : undefined);
    const address = serverAddress(this.config.url);
    // A saved MariaDB GTID position is resumed by GTID (the server finds it in its binlogs, on
    // any server of the replication topology); file:pos otherwise and for every first start.
    const byGtid =
      resume !== undefined && this.config.resume === 'gtid' && isMariadbGtid(resume.gtid);
    const server = await checkServer(address, byGtid ? undefined : resume);
    await this.endSnapshot();
    let start = resume;
    if (start === undefined && this.config.snapshot === 'initial') {
      // Nothing is saved until the snapshot's last batch is acknowledged: a crash redoes it.
      const table = await TableSnapshot.open(address, tableFilter(this.config), this.config.watch);
      start = table.at;
      for (const u of table.unusable) this.watchProblem(u.id, u.unusable);
      this.snapshot = {
        at: start,
        table,
        batches: table.batches(this.config.maxBatchRows, Date.now()),
        rows: 0,
      };
      this.ctx.log.info({ position: positionLabel(start) }, 'binlog source: initial snapshot');
    } else if (start === undefined) {
      start = await this.firstStart(address, server);
      // Nothing precedes the start: saving it at once keeps a restart from skipping what comes after.
      this.ctx.checkpoint.set(JSON.parse(JSON.stringify(start)) as Json);
      await this.ctx.checkpoint.flush();
    }
    if (this.snapshot === undefined) this.handedOut = start;
    const watch =
      this.config.watch === undefined
        ? undefined
        : {
            table: this.config.watch,
            rules: new WatchRules(start.watch ?? [], (change) =>
              'rule' in change
                ? void this.checkRules(address, [change.rule])
                : this.watchProblem(change.id, change.unusable),
            ),
          };
    void this.checkRules(address, start.watch ?? []);
    const assembler = new TransactionAssembler(start, tableFilter(this.config), watch);
    // An ES module: imported here, when a binlog source connects, not by every run.
    const { default: ZongJiClient } = await import('@vlasky/zongji');
    const zongji = new ZongJiClient({
      ...address,
      dateStrings: true,
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    this.zongji = zongji;
    zongji.on('binlog', (event) => {
      const done = assembler.push(event);
      if (done === undefined) return;
      this.queue.push(done);
      this.queuedRows += done.records.length;
      if (this.queuedRows >= this.config.maxBufferedRows && !this.paused) {
        this.paused = true;
        zongji.connection?.pause();
      }
      this.notify();
    });
    zongji.on('error', (error) => {
      // The server refusing a GTID it no longer has is fatal, though it arrives as a connection error.
      this.failure =
        byGtid && isBinlogReadError(error)
          ? purgedGtid(start as BinlogPosition, server.files, error)
          : isConnectionError(error)
            ? new NotConnected(`binlog source ${this.ctx.id}: ${errorMessage(error)}`, {
                cause: error,
              })
            : new Error(
                `binlog source ${this.ctx.id} at ${positionLabel(this.handedOut ?? start)}: ${errorMessage(error)}`,
                { cause: error },
              );
      this.notify();
    });
    // Connected once the server answered the dump request with its first event (a rotate to the
    // file it starts in), so a position it cannot serve fails here, not at the first read.
    const dumping = new Promise<void>((resolve, reject) => {
      zongji.once('binlog', () => resolve());
      zongji.once('error', () => reject(this.failure));
    });
    const from = byGtid ? { gtidSet: start.gtid } : { filename: start.file, position: start.pos };
    zongji.start({ serverId: this.config.serverId, ...from, includeEvents: events });
    await dumping;
    this.ctx.log.info(
      { position: positionLabel(start), by: byGtid ? 'gtid' : 'file:pos' },
      'binlog source following',
    );
  }

  /**
   * Where a source with no saved position starts. With a watch table and `start: current`, at the
   * position of a consistent snapshot of the watch table, with its rules; with `start: earliest`,
   * at the oldest binlog with no rules (the watch table's inserts in the binlog bring them).
   */
  private async firstStart(
    address: ServerAddress,
    server: { files: string[]; end: BinlogPosition },
  ): Promise<BinlogPosition> {
    const earliest = this.config.start === 'earliest';
    const watch =
      this.config.watch === undefined ? undefined : await watchSnapshot(address, this.config.watch);
    for (const u of watch?.unusable ?? []) this.watchProblem(u.id, u.unusable);
    if (earliest)
      return {
        file: server.files[0] ?? server.end.file,
        pos: 4,
        gtid: '',
        ...(watch === undefined ? {} : { watch: [] }),
      };
    return watch === undefined ? server.end : { ...watch.at, watch: watch.rules };
  }

  /** Warns once when a watch rule can give no metric on this server (a table or column missing). */
  private async checkRules(address: ServerAddress, rules: readonly WatchRule[]): Promise<void> {
    try {
      for (const [id, problem] of await watchRuleProblems(address, rules)) this.watchProblem(id, problem);
    } catch (err) {
      this.ctx.log.warn({ rules: rules.map((r) => r.id), err: errorMessage(err) }, 'binlog source: could not check the watch rules against the server');
    }
  }


  private watchProblem(id: number, problem: string | undefined): void {
    if (problem === undefined) {
      this.watchProblems.delete(id);
      return;
    }
    if (this.watchProblems.get(id) === problem) return;
    this.watchProblems.set(id, problem);
    this.ctx.log.warn(
      { rule: id, watch: this.config.watch },
      `binlog source: watch rule ${id}: ${problem}`,
    );
  }

  /**
   * The next batch of the initial snapshot. Its last batch carries the snapshot's position, so
   * acknowledging it saves that position; the others save nothing. An empty snapshot saves the
   * position at once (no batch precedes it).
   */
  private async snapshotBatch(
    snapshot: NonNullable<typeof this.snapshot>,
  ): Promise<SourceRead<BinlogPosition> | undefined> {
    const next = await snapshot.batches.next();
    const last = next.done === true || next.value.last;
    const records = next.done === true ? [] : next.value.records;
    snapshot.rows += records.length;
    if (last) {
      await this.endSnapshot();
      this.handedOut = snapshot.at;
      this.ctx.log.info(
        { rows: snapshot.rows, position: positionLabel(snapshot.at) },
        'binlog source: initial snapshot read, following the binlog',
      );
    }
    if (records.length === 0) {
      this.commit(snapshot.at);
      await this.ctx.checkpoint.flush();
      return undefined;
    }
    const label = `snapshot rows ${snapshot.rows - records.length + 1}..${snapshot.rows}`;
    return { records, position: last ? snapshot.at : { ...snapshot.at, snapshot: true }, label };
  }

  private async endSnapshot(): Promise<void> {
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    if (snapshot === undefined) return;
    await snapshot.batches.return(undefined).catch(() => undefined);
    await snapshot.table.close();
  }

  async read(): Promise<SourceRead<BinlogPosition>> {
    for (;;) {
      if (this.closed) throw new NotConnected(`binlog source ${this.ctx.id} is closed`);
      if (this.failure !== undefined) throw this.failure;
      if (this.snapshot !== undefined) {
        const batch = await this.snapshotBatch(this.snapshot);
        if (batch !== undefined) return batch;
        continue;
      }
      const batch = this.take();
      if (batch !== undefined) {
        this.heartbeats?.saw(batch.records, Date.now());
        return batch;
      }
      const beat = this.beat();
      if (beat !== undefined) return beat;
      let due: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (this.heartbeats !== undefined)
          due = setTimeout(() => this.notify(), this.heartbeats.dueIn(Date.now()));
      });
      clearTimeout(due);
    }
  }

  /** The heartbeats due now, as a read at the current position (committing it moves nothing). */
  private beat(): SourceRead<BinlogPosition> | undefined {
    const at = this.handedOut;
    if (this.heartbeats === undefined || at === undefined) return undefined;
    const records = this.heartbeats.take(at, Date.now());
    return records.length === 0
      ? undefined
      : { records, position: at, label: `heartbeat at ${at.file}:${at.pos}` };
  }

  /** Whole transactions from the queue, up to maxBatchRows (at least one), if one has rows. */
  private take(): SourceRead<BinlogPosition> | undefined {
    if (!this.queue.some((t) => t.records.length > 0)) return undefined;
    const records: LogRecord[] = [];
    let last: Transaction | undefined;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Transaction;
      if (records.length > 0 && records.length + next.records.length > this.config.maxBatchRows)
        break;
      this.queue.shift();
      for (const r of next.records) records.push(r);
      last = next;
      if (!this.queue.some((t) => t.records.length > 0)) break;
    }
    this.queuedRows -= records.length;
    if (this.paused && this.queuedRows < this.config.maxBufferedRows / 2) {
      this.paused = false;
      this.zongji?.connection?.resume();
    }
    const from = this.handedOut;
    const position = (last as Transaction).position;
    this.handedOut = position;
    return {
      records,
      position,
      label: `${from === undefined ? '' : `${from.file}:${from.pos}..`}${position.file}:${position.pos}`,
    };
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  commit(position: BinlogPosition): void {
    if (position.snapshot === true) return;
    this.committed = position;
    this.ctx.checkpoint.set(JSON.parse(JSON.stringify(position)) as Json);
  }

  private async stop(): Promise<void> {
    const zongji = this.zongji;
    this.zongji = undefined;
    if (zongji === undefined) return;
    const stopped = new Promise<void>((resolve) => zongji.once('stopped', () => resolve()));
    zongji.stop();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 2000))]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.notify();
    await this.endSnapshot();
    await this.stop();
    await this.ctx.checkpoint.flush();
  }

  status(): { [key: string]: Json } {
    return {
      read: this.handedOut === undefined ? null : positionLabel(this.handedOut),
      committed: this.committed === undefined ? null : positionLabel(this.committed),
      queuedRows: this.queuedRows,
      paused: this.paused,
      snapshotRows: this.snapshot === undefined ? null : this.snapshot.rows,
      watchProblems: Object.fromEntries(
        [...this.watchProblems].map(([id, why]) => [String(id), why]),
      ),
    };
  }
}
