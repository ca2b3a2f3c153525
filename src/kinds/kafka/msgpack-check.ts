/**
 * Why MessagePack bytes do not hold a record value, or undefined when they do: read before
 * msgpackr decodes them, because msgpackr turns what JSON cannot hold into look-alikes (the byte
 * 0xC1, never valid, into an object `{ name: 'MessagePack 0xC1' }`; a timestamp into a Date that
 * serializes as a date string; a 64-bit integer into a BigInt that JSON.stringify throws on).
 *
 * A record value is a map (string keys), a string or bytes at the top; inside a map or an array
 * only JSON values: nil, booleans, finite numbers (integers within ±(2^53 - 1)), strings, arrays,
 * maps. Never valid: 0xC1, extension types (timestamps included), bytes below the top level.
 *
 * @example
 * msgpackProblem(Buffer.from([0xc1])); // 'byte 0xC1 at offset 0 is never valid MessagePack'
 */
export function msgpackProblem(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const top = bytes[0];
  if (top === undefined) return 'empty value';
  const topKind = kindOf(top);
  if (topKind !== 'map' && topKind !== 'str' && topKind !== 'bin' && topKind !== 'never' && topKind !== 'ext')
    return `msgpack value is ${topKind === 'array' ? 'an array' : topKind === 'nil' ? 'nil' : `a ${topKind}`}, expected a map, a string or bytes`;
  let at = 0;
  // Values still to read at each open array or map level; a map level alternates key, value.
  const pending: { left: number; map: boolean }[] = [{ left: 1, map: false }];
  while (pending.length > 0) {
    const level = pending[pending.length - 1] as { left: number; map: boolean };
    if (level.left === 0) {
      pending.pop();
      continue;
    }
    const isKey = level.map && level.left % 2 === 0;
    level.left -= 1;
    const byte = bytes[at];
    if (byte === undefined) return `truncated at offset ${at}`;
    const kind = kindOf(byte);
    if (kind === 'never') return `byte 0xC1 at offset ${at} is never valid MessagePack`;
    if (kind === 'ext') return `extension type ${typeName(view, at)} at offset ${at} is not a JSON value (timestamps included)`;
    if (isKey && kind !== 'str') return `map key at offset ${at} is a ${kind}, expected a string`;
    if (kind === 'bin' && pending.length > 1) return `bytes at offset ${at} inside a map or an array are not a JSON value`;
    const head = header(view, at);
    if (head === undefined) return `truncated at offset ${at}`;
    if (head.problem !== undefined) return `${head.problem} at offset ${at}`;
    at += head.size;
    if (kind === 'array' || kind === 'map') pending.push({ left: kind === 'map' ? head.count * 2 : head.count, map: kind === 'map' });
    else at += head.count; // payload bytes of a string or bytes
    if (at > bytes.length) return `truncated at offset ${at}`;
  }
  return at === bytes.length ? undefined : `${bytes.length - at} bytes after the value at offset ${at}`;
}

type Kind = 'nil' | 'boolean' | 'number' | 'str' | 'bin' | 'array' | 'map' | 'ext' | 'never';

function kindOf(byte: number): Kind {
  if (byte <= 0x7f || byte >= 0xe0) return 'number';
  if (byte <= 0x8f) return 'map';
  if (byte <= 0x9f) return 'array';
  if (byte <= 0xbf) return 'str';
  if (byte === 0xc0) return 'nil';
  if (byte === 0xc1) return 'never';
  if (byte <= 0xc3) return 'boolean';
  if (byte <= 0xc6) return 'bin';
  if (byte <= 0xc9 || (byte >= 0xd4 && byte <= 0xd8)) return 'ext';
  if (byte <= 0xd3) return 'number';
  if (byte <= 0xdb) return 'str';
  if (byte <= 0xdd) return 'array';
  return 'map';
}

/** The extension type byte of the ext value at `at` (signed, -1 is a timestamp). */
function typeName(view: DataView, at: number): string {
  const byte = view.getUint8(at);
  const typeAt = at + (byte >= 0xd4 ? 1 : byte === 0xc7 ? 2 : byte === 0xc8 ? 3 : 5);
  return typeAt < view.byteLength ? String(view.getInt8(typeAt)) : '(truncated)';
}

/** Strings, bytes, arrays and maps with a length field: header size and length-field bytes. */
const SIZED = new Map<number, [number, 1 | 2 | 4]>([
  [0xc4, [2, 1]], [0xc5, [3, 2]], [0xc6, [5, 4]], // bin 8/16/32
  [0xd9, [2, 1]], [0xda, [3, 2]], [0xdb, [5, 4]], // str 8/16/32
  [0xdc, [3, 2]], [0xdd, [5, 4]], [0xde, [3, 2]], [0xdf, [5, 4]], // array 16/32, map 16/32
]);
/** Sizes of float 32/64, uint 8..64 and int 8..64 values, type byte included. */
const NUMBER_SIZE = new Map<number, number>([
  [0xca, 5], [0xcb, 9], [0xcc, 2], [0xcd, 3], [0xce, 5], [0xcf, 9], [0xd0, 2], [0xd1, 3], [0xd2, 5], [0xd3, 9],
]);

/**
 * The header of the value at `at`: its size in bytes, and `count` (payload bytes of a string or
 * bytes, elements of an array, pairs of a map; 0 otherwise). Undefined when truncated.
 */
function header(view: DataView, at: number): { size: number; count: number; problem?: string } | undefined {
  const byte = view.getUint8(at);
  const fits = (size: number): boolean => at + size <= view.byteLength;
  if (byte <= 0x7f || byte >= 0xe0 || (byte >= 0xc0 && byte <= 0xc3)) return { size: 1, count: 0 };
  if (byte <= 0x8f) return { size: 1, count: byte & 0x0f };
  if (byte <= 0x9f) return { size: 1, count: byte & 0x0f };
  if (byte <= 0xbf) return { size: 1, count: byte & 0x1f };
  const sized = SIZED.get(byte);
  if (sized !== undefined) {
    if (!fits(sized[0])) return undefined;
    const n = sized[1] === 1 ? view.getUint8(at + 1) : sized[1] === 2 ? view.getUint16(at + 1) : view.getUint32(at + 1);
    return { size: sized[0], count: n };
  }
  // Numbers: float 32/64, uint 8..64, int 8..64.
  const size = NUMBER_SIZE.get(byte);
  if (size === undefined || !fits(size)) return undefined;
  if (byte === 0xca && !Number.isFinite(view.getFloat32(at + 1))) return { size, count: 0, problem: 'a float that is not finite' };
  if (byte === 0xcb && !Number.isFinite(view.getFloat64(at + 1))) return { size, count: 0, problem: 'a float that is not finite' };
  if (byte === 0xcf && view.getBigUint64(at + 1) > BigInt(Number.MAX_SAFE_INTEGER))
    return { size, count: 0, problem: 'an integer beyond 2^53 - 1' };
  if (byte === 0xd3) {
    const n = view.getBigInt64(at + 1);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER))
      return { size, count: 0, problem: 'an integer beyond ±(2^53 - 1)' };
  }
  return { size, count: 0 };
}
