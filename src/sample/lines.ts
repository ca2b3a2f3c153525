import type { Random } from './random.js';
import {
  currencies,
  english,
  eventWeights,
  latin,
  pages,
  simplified,
  slots,
  traditional,
  users,
  type SampleEvent,
} from './vocabulary.js';

/** Which texts a file's `msg` fields use (its encoding decides what it can hold). */
export type Script = 'english' | 'simplified' | 'traditional' | 'latin';

const phrases: Record<Script, readonly string[]> = { english, simplified, traditional, latin };

/** One generated good line: its text and what the report should count it as. */
export interface SampleLine {
  text: string;
  event: SampleEvent;
}

/** A quoted field value with `\"` and `\\` escapes, as the millrace format reads them. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function message(rng: Random, script: Script): string {
  const words = phrases[script];
  return `${rng.pick(words)} ${rng.pick(words)}`;
}

/**
 * A parseable line `<ts> <app> <event> key=value ...` at `ms`. With `msg` every line carries a
 * message in `script` (files in legacy encodings need text for charset detection to judge).
 */
export function goodLine(
  rng: Random,
  ms: number,
  app: string,
  script: Script,
  msg: boolean,
): SampleLine {
  const event = rng.weighted(eventWeights);
  const user = `user=u${1 + rng.int(users)}`;
  let fields: string;
  switch (event) {
    case 'process_start':
      fields = `pid=${100 + rng.int(60000)} version=3.${rng.int(10)}.${rng.int(20)} host=node-${rng.int(32)}`;
      break;
    case 'ad_show':
    case 'ad_click':
      fields = `${user} ad=a${rng.int(200)} slot=${rng.pick(slots)}`;
      break;
    case 'page_view':
      fields = `${user} page=${rng.pick(pages)} ms=${5 + rng.int(2000)}`;
      break;
    case 'purchase':
      fields = `${user} item=i${rng.int(10000)} price=${(1 + rng.int(50000) / 100).toFixed(2)} currency=${rng.pick(currencies)}`;
      break;
    case 'error':
      fields = `${rng.chance(0.5) ? `${user} ` : ''}code=E${500 + rng.int(8)} msg=${quote(message(rng, script === 'english' && rng.chance(0.3) ? 'simplified' : script))}`;
      break;
  }
  const extra = msg && event !== 'error' ? ` msg=${quote(message(rng, script))}` : '';
  return { text: `${new Date(ms).toISOString()} ${app} ${event} ${fields}${extra}`, event };
}

/** A line the `millrace` format rejects, of one of several kinds. */
export function badLine(rng: Random, ms: number, app: string): string {
  const ts = new Date(ms).toISOString();
  switch (rng.int(4)) {
    case 0:
      return `### garbage ${rng.int(1e6)} ###`;
    case 1:
      return `${ts.slice(0, 5)}13-45T99:00:00Z ${app} page_view user=u${1 + rng.int(users)}`;
    case 2:
      return `${ts} ${app}`;
    default:
      return `${ts} ${app} error code=E500 msg="unterminated`;
  }
}
