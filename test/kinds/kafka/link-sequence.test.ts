/**
 * The skip rule of `linkSequence` against a real (embedded) log: records of a link spread over
 * partitions, each partition written in sequence order, all or nothing per write, with records of
 * another writer in between; a crash leaves any prefix of each partition's records written and
 * the committed position anywhere before the first record that did not make it. Replaying from the
 * committed position through the skip rule leaves every record in its partition exactly once, in
 * order, whatever was read back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedResources } from '../../../src/core/shared-resources.js';
import { DestinationSequences, LINK_SEQ_HEADER, alreadyWritten, linkSeqValue, parseLinkSeq } from '../../../src/kinds/kafka/link-sequence.js';
import { EmbeddedTopicAdmin } from '../../../src/transport/embedded-topic-admin.js';
import { acquireEmbeddedLog } from '../../../src/transport/embedded-log-pool.js';

const PARTITIONS = 3;
const TOPIC = 'mirrored';

const scenario = fc.record({
  /** Each record's partition; its sequence number is its index + 1. */
  partitions: fc.array(fc.integer({ min: 0, max: PARTITIONS - 1 }), { minLength: 1, maxLength: 120 }),
  /** Fraction of each partition's records written before the crash. */
  written: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: PARTITIONS, maxLength: PARTITIONS }),
  /** Where the committed position falls below the first record that was not written (1 excluded: it would be at it). */
  committed: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  /** Records of other writers after the link's in each partition (past a read-back window sometimes). */
  foreign: fc.array(fc.integer({ min: 0, max: 700 }), { minLength: PARTITIONS, maxLength: PARTITIONS }),
  /** Another link's records in the same partitions (their numbers must not count). */
  otherLink: fc.boolean(),
});

function entry(seq: number, link = 'l1'): { value: Buffer; ts: number; headers: Record<string, string> } {
  return { value: Buffer.from(`${link} ${seq}`), ts: seq, headers: { [LINK_SEQ_HEADER]: linkSeqValue(link, seq) } };
}

describe('link sequence skip rule', () => {
  it('parses only its own link', () => {
    expect(parseLinkSeq('l1:42', 'l1')).toBe(42);
    expect(parseLinkSeq('l10:42', 'l1')).toBeUndefined();
    expect(parseLinkSeq('l1:x', 'l1')).toBeUndefined();
    expect(parseLinkSeq(undefined, 'l1')).toBeUndefined();
  });

  it('replay after a crash at any point leaves every record once, in order, in its partition', async () => {
    const root = mkdtempSync(join(tmpdir(), 'link-seq-'));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const dir = join(root, String(run++));
          const shared = new SharedResources();
          const lease = await acquireEmbeddedLog(dir, shared.acquire);
          const log = lease.resource;
          await log.createTopic(TOPIC, { partitions: PARTITIONS });
          const seqsOf = Array.from({ length: PARTITIONS }, (_, p) => s.partitions.flatMap((q, i) => (q === p ? [i + 1] : [])));
          // Before the crash: a prefix of each partition's records, then other writers.
          let firstMissing = s.partitions.length + 1;
          for (let p = 0; p < PARTITIONS; p++) {
            const mine = seqsOf[p] as number[];
            const kept = Math.floor((s.written[p] as number) * (mine.length + 1)) % (mine.length + 1);
            if (kept < mine.length) firstMissing = Math.min(firstMissing, mine[kept] as number);
            for (const seq of mine.slice(0, kept)) await log.append(TOPIC, p, [entry(seq)]);
            if (s.otherLink) await log.append(TOPIC, p, [entry(10_000, 'l2')]);
            const foreign = s.foreign[p] as number;
            if (foreign > 0) await log.append(TOPIC, p, Array.from({ length: foreign }, (_, i) => ({ value: Buffer.from(`other ${i}`), ts: i })));
          }
          const committed = Math.floor(s.committed * firstMissing);
          // The restarted receiver replays from its committed position through the skip rule.
          const admin = new EmbeddedTopicAdmin(dir, shared.acquire);
          const sequences = new DestinationSequences(admin);
          for (let seq = committed + 1; seq <= s.partitions.length; seq++) {
            const p = s.partitions[seq - 1] as number;
            if (alreadyWritten(seq, await sequences.lastOf('l1', TOPIC, p))) continue;
            await log.append(TOPIC, p, [entry(seq)]);
            sequences.wrote(TOPIC, p, seq);
          }
          for (let p = 0; p < PARTITIONS; p++) {
            const { records } = await log.read(TOPIC, p, 0, { maxRecords: 10_000 });
            const got = records.map((r) => parseLinkSeq(r.headers?.[LINK_SEQ_HEADER], 'l1')).filter((seq) => seq !== undefined);
            expect(got).toEqual(seqsOf[p]);
          }
          await admin.close();
          await lease.release();
          rmSync(dir, { recursive: true, force: true });
        }),
        { numRuns: 40 },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
