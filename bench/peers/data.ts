/**
 * Input files of the peer benchmark: one line per record, LF-terminated, from a seeded generator
 * (the same bytes on every machine). Written once into a cache directory and reused.
 */
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

export type RecordCase = 'access' | 'small' | 'kib';

export const RECORD_CASES: Record<RecordCase, string> = {
  access: 'access-log lines (combined format), ~180 B',
  small: 'short event lines, ~120 B',
  kib: '1 KiB lines',
};

export interface InputFile {
  case: RecordCase;
  path: string;
  lines: number;
  /** File size, LFs included. */
  bytes: number;
}

/** xorshift32: a small deterministic generator; quality is irrelevant here. */
function generator(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/items', '/api/v1/cart', '/shop/product', '/static/js/app.js', '/search', '/account/orders'];
const STATUS = [200, 200, 200, 200, 201, 204, 301, 304, 404, 500];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0',
  'curl/8.4.0',
];
const EVENTS = ['ad_show', 'ad_click', 'login', 'logout', 'cart_add', 'checkout'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function lineMaker(kind: RecordCase): (i: number) => string {
  const r = generator(kind === 'access' ? 1 : kind === 'small' ? 2 : 3);
  const ip = (): string => `${10 + r(200)}.${r(256)}.${r(256)}.${r(256)}`;
  const time = (i: number): string => `${two(Math.floor(i / 3600) % 24)}:${two(Math.floor(i / 60) % 60)}:${two(i % 60)}`;
  const access = (i: number): string =>
    `${ip()} - u${r(100000)} [05/Dec/2025:${time(i)} +0000] "${METHODS[r(METHODS.length)]} ${PATHS[r(PATHS.length)]}/${r(1000000)}?page=${r(50)} HTTP/1.1" ` +
    `${STATUS[r(STATUS.length)]} ${r(100000)} "https://shop.example.com/" "${AGENTS[r(AGENTS.length)]}"`;
  switch (kind) {
    case 'access':
      return access;
    case 'small':
      return (i) => `2025-12-05T${time(i)}.${String(r(1000)).padStart(3, '0')}Z web-${r(64)} shop[${r(32768)}]: ${EVENTS[r(EVENTS.length)]} user=u${r(1000000)} ad=a${r(1000)} ms=${r(500)} session=${r(2 ** 31).toString(16).padStart(8, '0')}${r(2 ** 31).toString(16).padStart(8, '0')} region=eu-west-1`;
    case 'kib':
      return (i) => {
        const head = access(i) + ' payload=';
        return head + 'x'.repeat(Math.max(0, 1023 - head.length));
      };
  }
}

/** The input file of `kind` with `lines` lines under `dir`, generated when missing. */
export async function inputFile(dir: string, kind: RecordCase, lines: number): Promise<InputFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${kind}-${lines}.log`);
  if (!existsSync(path)) {
    const tmp = `${path}.tmp`;
    const out = createWriteStream(tmp);
    const make = lineMaker(kind);
    let chunk = '';
    for (let i = 0; i < lines; i++) {
      chunk += make(i) + '\n';
      if (chunk.length >= 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
    renameSync(tmp, path);
  }
  return { case: kind, path, lines, bytes: statSync(path).size };
}
