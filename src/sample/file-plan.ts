import { BAD_BYTE_MARK, type SampleEncoding } from './encode.js';
import { badLine, goodLine, type Script } from './lines.js';
import type { Random } from './random.js';
import { apps, type SampleEvent } from './vocabulary.js';

/** Everything about one sample file except its bytes. */
export interface FilePlan {
  root: string;
  app: string;
  day: string;
  codec: 'gzip' | 'lz4' | 'zstd';
  encoding: SampleEncoding;
  script: Script;
  crlf: boolean;
  finalNewline: boolean;
  multiMember: boolean;
  damage: 'corrupt' | 'truncated' | undefined;
}

/** A file's content: its lines and, per line, the event counted (undefined: unparseable). */
export interface FileContent {
  lines: string[];
  events: (SampleEvent | undefined)[];
  replaced: number;
}

const HOUR = 3_600_000;

const scripts: Record<SampleEncoding, Script> = {
  'utf-8': 'english',
  gbk: 'simplified',
  big5: 'traditional',
  'utf-16le': 'simplified',
  latin1: 'latin',
};

/** The sample's codecs and how often each is picked. */
const codecWeights: Readonly<Record<FilePlan['codec'], number>> = { gzip: 50, lz4: 25, zstd: 25 };
/** Every codec a sample file can have. */
export const sampleCodecs = Object.keys(codecWeights) as FilePlan['codec'][];

/**
 * Plans a file: where it goes and how it is encoded, compressed (with one of `codecs`, weighted
 * as in {@link codecWeights}) and (rarely) damaged.
 */
export function planFile(
  rng: Random,
  root: string,
  days: readonly string[],
  damageRate: number,
  codecs: readonly FilePlan['codec'][] = sampleCodecs,
): FilePlan {
  const weights: Partial<Record<FilePlan['codec'], number>> = {};
  for (const c of sampleCodecs) if (codecs.includes(c)) weights[c] = codecWeights[c];
  const codec = rng.weighted(weights as Record<FilePlan['codec'], number>);
  const encoding = rng.weighted<SampleEncoding>({
    'utf-8': 82,
    gbk: 6,
    big5: 6,
    'utf-16le': 4,
    latin1: 2,
  });
  // Some UTF-8 files carry Chinese messages: multi-byte text, and where bad bytes are put.
  const script = encoding === 'utf-8' && rng.chance(0.15) ? 'simplified' : scripts[encoding];
  const roll = rng.next();
  const damage =
    roll < damageRate && codec !== 'zstd'
      ? 'corrupt'
      : roll > 1 - damageRate
        ? 'truncated'
        : undefined;
  return {
    root,
    app: rng.pick(apps),
    day: rng.pick(days),
    codec,
    encoding,
    script,
    crlf: encoding === 'utf-16le' || rng.chance(0.15),
    finalNewline: rng.chance(0.95),
    multiMember: codec === 'gzip' && rng.chance(0.2),
    damage,
  };
}

/**
 * Generates a file's lines, in time order within its day. Files in a legacy encoding get a
 * message on every line; a few files get unparseable lines, and a few UTF-8 files with Chinese
 * messages get undecodable bytes inside a message (a line that still parses).
 */
export function fileContent(rng: Random, plan: FilePlan, lineCount: number): FileContent {
  const lines: string[] = [];
  const events: (SampleEvent | undefined)[] = [];
  const dayStart = Date.parse(`${plan.day}T00:00:00Z`);
  const step = Math.max(1, Math.floor((12 * HOUR) / lineCount));
  let ms = dayStart + rng.int(12 * HOUR);
  const msgEverywhere = plan.encoding !== 'utf-8' || plan.script !== 'english';
  const badAt = new Set<number>();
  if (rng.chance(0.05)) for (let n = 1 + rng.int(3); n > 0; n--) badAt.add(rng.int(lineCount));
  const badBytes =
    plan.encoding === 'utf-8' && plan.script === 'simplified' && rng.chance(0.3)
      ? 1 + rng.int(3)
      : 0;
  let replaced = 0;
  for (let i = 0; i < lineCount; i++) {
    ms += rng.int(step);
    if (badAt.has(i)) {
      lines.push(badLine(rng, ms, plan.app));
      events.push(undefined);
      continue;
    }
    const line = goodLine(rng, ms, plan.app, plan.script, msgEverywhere);
    let text = line.text;
    if (replaced < badBytes && text.includes(' msg="')) {
      text = text.replace(' msg="', ` msg="${BAD_BYTE_MARK}`);
      replaced += 1;
    }
    lines.push(text);
    events.push(line.event);
  }
  return { lines, events, replaced };
}

/** A file's text: its lines joined with LF or CRLF, with or without a final line end. */
export function fileText(lines: readonly string[], plan: FilePlan): string {
  const eol = plan.crlf ? '\r\n' : '\n';
  return lines.join(eol) + (plan.finalNewline ? eol : '');
}
