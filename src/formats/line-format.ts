import { setOwn } from '../core/own-property.js';
import type { Json } from '../streams/record.js';

/** A parsed log line: the `parse` stage's output value. */
export interface LogEvent {
  [key: string]: Json;
  /** Event time, ISO-8601 in UTC with milliseconds. */
  ts: string;
  /** UTC day of `ts`, `YYYY-MM-DD`. */
  day: string;
  app: string;
  event: string;
  user: string | null;
  fields: { [key: string]: Json };
}

/** A line's event and its time in ms, or why the line does not parse. */
export type LineResult = { ok: true; event: LogEvent; ms: number } | { ok: false; error: string };

const SHAPE = '"<timestamp> <app> <event> key=value..."';
const EXCERPT = 60;
/** The largest time a JS Date holds. */
const MAX_DATE_MS = 8.64e15;

function excerpt(text: string): string {
  return JSON.stringify(text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text);
}

function fail(error: string): LineResult {
  return { ok: false, error };
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`: exactly what `toISOString` writes for the same instant. */
function isCanonical(text: string): boolean {
  return text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(19) === 46;
}

/**
 * Whether `text` is exactly what `toISOString` writes for the instant it names: the canonical
 * shape and a real date and time (no rolled-over days).
 *
 * @example
 * isCanonicalTimestamp('2026-11-20T08:15:02.113Z'); // true
 * isCanonicalTimestamp('2026-02-30T00:00:00.000Z'); // false
 */
export function isCanonicalTimestamp(text: string): boolean {
  return isCanonical(text) && parseTimestamp(text) !== undefined;
}

function eventAt(
  ms: number,
  written: string | undefined,
  app: string,
  event: string,
  user: string | null,
  fields: { [key: string]: Json },
): LineResult {
  // parseTimestamp rejects rolled-over dates, so a canonical text is already the normal form.
  const ts = written !== undefined && isCanonical(written) ? written : new Date(ms).toISOString();
  return { ok: true, ms, event: { ts, day: ts.slice(0, 10), app, event, user, fields } };
}

/** The number in `text` at [from, from + len) if all of it is digits, else -1. */
function digits(text: string, from: number, len: number): number {
  let n = 0;
  for (let i = from; i < from + len; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** 400 Gregorian years, exactly: shifting by it keeps weekdays and leap years. */
const CYCLE_YEARS = 400;
const CYCLE_MS = 146_097 * 86_400_000;

/** `Date.UTC` for any year 0-9999 (`Date.UTC` reads years 0-99 as 1900-1999). */
function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number {
  return Date.UTC(year + CYCLE_YEARS, month - 1, day, hour, minute, second, millis) - CYCLE_MS;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1] as number;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/**
 * The day `parseTimestamp` converted last, as `(year * 100 + month) * 100 + day`, and its ms: a
 * file's lines come in time order, so most lines repeat it and skip `Date.UTC`.
 */
let lastDay = -1;
let lastDayMs = 0;

/** Milliseconds at the start of a valid UTC day. */
function dayStart(year: number, month: number, day: number): number {
  const key = (year * 100 + month) * 100 + day;
  if (key !== lastDay) {
    lastDayMs = utc(year, month, day, 0, 0, 0, 0);
    lastDay = key;
  }
  return lastDayMs;
}

/**
 * Milliseconds of an ISO-8601 timestamp `YYYY-MM-DDTHH:MM:SS[.fraction]` with a zone (`Z` or
 * `±HH:MM`), or undefined. Stricter than `Date.parse`, which rolls 2026-02-30 over into March.
 */
export function parseTimestamp(text: string): number | undefined {
  if (
    text.length < 20 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58
  )
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return undefined;
  }
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === 46) {
    const start = at + 1;
    at = start;
    while (at < text.length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at += 1;
    if (at === start || at - start > 9) return undefined;
    const kept = Math.min(3, at - start);
    millis = digits(text, start, kept) * 10 ** (3 - kept);
  }
  const offset = zoneOffset(text, at);
  if (offset === undefined) return undefined;
  return dayStart(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset;
}

/** Offset in ms of the zone that ends the timestamp at `at` (`Z` or `±HH:MM`), or undefined. */
function zoneOffset(text: string, at: number): number | undefined {
  if (text[at] === 'Z') return at + 1 === text.length ? 0 : undefined;
  if ((text[at] !== '+' && text[at] !== '-') || at + 6 !== text.length || text[at + 3] !== ':')
    return undefined;
  const hours = digits(text, at + 1, 2);
  const minutes = digits(text, at + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  return (text[at] === '+' ? 1 : -1) * (hours * 60 + minutes) * 60_000;
}

/** An app or event name: `[A-Za-z0-9_.:-]+`. */
function isName(line: string, from: number, to: number): boolean {
  if (from === to) return false;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || // a-z
      (c >= 65 && c <= 90) || // A-Z
      (c >= 48 && c <= 58) || // 0-9 and :
      c === 95 || // _
      c === 46 || // .
      c === 45; // -
    if (!ok) return false;
  }
  return true;
}

const KEY_SLOTS = 256;
/**
 * Only keys this short are remembered: V8 copies a slice this short, while a longer one would
 * keep the whole text of its chunk alive in {@link recentKeys}.
 */
const MAX_KEPT_KEY = 12;
/**
 * Field keys seen lately, by a hash of their characters. Lines repeat a few keys, and storing a
 * fresh slice as a property key costs V8 a string-table lookup each time: a known key is the
 * same (internalized) string again and skips both the lookup and the slice.
 */
const recentKeys: string[] = new Array<string>(KEY_SLOTS).fill('');

/** `line` at [from, to) with `hash` (of {@link parseMillraceLine}), as a recent key if it is one. */
function keyAt(line: string, from: number, to: number, hash: number): string {
  const slot = hash & (KEY_SLOTS - 1);
  const known = recentKeys[slot] as string;
  if (known.length === to - from && sameChars(line, from, known)) return known;
  const key = line.slice(from, to);
  if (key.length <= MAX_KEPT_KEY) recentKeys[slot] = key;
  return key;
}

function sameChars(line: string, from: number, text: string): boolean {
  for (let k = 0; k < text.length; k++)
    if (line.charCodeAt(from + k) !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * Parses the millrace line format `<ISO-8601 timestamp> <app> <event> key=value ...`. Values
 * with spaces are double-quoted with `\"` and `\\` escapes; `user` is lifted out of the fields
 * (null when absent); field values are strings.
 *
 * @example
 * parseMillraceLine('2026-11-20T08:15:02.113Z shop ad_show user=u1042 ad=a17 slot=top');
 * // { ok: true, ms: 1795162502113, event: { ts: '2026-11-20T08:15:02.113Z', day: '2026-11-20',
 * //   app: 'shop', event: 'ad_show', user: 'u1042', fields: { ad: 'a17', slot: 'top' } } }
 */
export function parseMillraceLine(line: string): LineResult {
  const s1 = line.indexOf(' ');
  const s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
  if (s2 < 0) return fail(`expected ${SHAPE}, found ${excerpt(line)}`);
  const s3 = line.indexOf(' ', s2 + 1);
  const n = line.length;
  const nameEnd = s3 < 0 ? n : s3;
  const tsText = line.slice(0, s1);
  const ms = parseTimestamp(tsText);
  if (ms === undefined)
    return fail(`expected an ISO-8601 timestamp with zone first, found ${excerpt(tsText)}`);
  if (!isName(line, s1 + 1, s2) || !isName(line, s2 + 1, nameEnd))
    return fail(`expected ${SHAPE}, found ${excerpt(line)}`);
  const app = line.slice(s1 + 1, s2);
  const event = line.slice(s2 + 1, nameEnd);
  const fields: { [key: string]: Json } = {};
  let user: string | null = null;
  let i = nameEnd;
  while (i < n) {
    if (line.charCodeAt(i) === 32) {
      i += 1;
      continue;
    }
    // The key runs to `=`; a space or the end of the line first means there is no `=`.
    let eq = i;
    let c = 0;
    let hash = 0;
    while (eq < n && (c = line.charCodeAt(eq)) !== 61 && c !== 32) {
      hash = (hash * 31 + c) | 0;
      eq += 1;
    }
    if (eq === n || c === 32 || eq === i) {
      const space = line.indexOf(' ', i);
      return fail(`expected key=value, found ${excerpt(line.slice(i, space < 0 ? n : space))}`);
    }
    const key = keyAt(line, i, eq, hash);
    let value: string;
    if (line.charCodeAt(eq + 1) === 34) {
      const quoted = readQuoted(line, eq + 2);
      if (quoted === undefined) return fail(`unterminated quoted value of ${key}`);
      [value, i] = quoted;
      if (i < n && line.charCodeAt(i) !== 32)
        return fail(`expected a space after the quoted value of ${key}`);
    } else {
      i = line.indexOf(' ', eq + 1);
      if (i < 0) i = n;
      value = line.slice(eq + 1, i);
    }
    if (key === 'user') user = value;
    else setOwn(fields, key, value);
  }
  return eventAt(ms, tsText, app, event, user, fields);
}

/** The unescaped value of a quoted string starting after its opening quote, and the offset past it. */
function readQuoted(line: string, from: number): [string, number] | undefined {
  const close = line.indexOf('"', from);
  if (close < 0) return undefined;
  const escape = line.indexOf('\\', from);
  if (escape < 0 || escape > close) return [line.slice(from, close), close + 1];
  let out = '';
  let start = from;
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92) {
      out += line.slice(start, i);
      i += 1;
      if (i >= line.length) return undefined;
      start = i;
    } else if (c === 34) {
      return [out + line.slice(start, i), i + 1];
    }
  }
  return undefined;
}

/**
 * Parses one JSON object per line with at least `ts` (ISO-8601 string or ms number), `app` and
 * `event` (strings); `user` (string, number or null) is lifted out, every other key goes to
 * `fields` as it is.
 *
 * @example
 * parseJsonLine('{"ts":"2026-11-20T08:15:02Z","app":"shop","event":"purchase","price":12}');
 */
export function parseJsonLine(line: string): LineResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return fail(
      `invalid JSON (${error instanceof Error ? error.message : String(error)}): ${excerpt(line)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail(`expected a JSON object, found ${excerpt(line)}`);
  const { ts, app, event, user, ...rest } = parsed as { [key: string]: Json };
  const ms =
    typeof ts === 'number' && Math.abs(ts) <= MAX_DATE_MS
      ? ts
      : typeof ts === 'string'
        ? parseTimestamp(ts)
        : undefined;
  if (ms === undefined)
    return fail(
      `expected "ts" as an ISO-8601 timestamp with zone or epoch ms, found ${excerpt(JSON.stringify(ts ?? null))}`,
    );
  if (typeof app !== 'string' || app === '')
    return fail(`expected "app" as a non-empty string in ${excerpt(line)}`);
  if (typeof event !== 'string' || event === '')
    return fail(`expected "event" as a non-empty string in ${excerpt(line)}`);
  if (user !== undefined && user !== null && typeof user !== 'string' && typeof user !== 'number') {
    return fail(
      `expected "user" as a string, number or null, found ${excerpt(JSON.stringify(user))}`,
    );
  }
  return eventAt(
    ms,
    typeof ts === 'string' ? ts : undefined,
    app,
    event,
    user === undefined || user === null ? null : String(user),
    rest,
  );
}
