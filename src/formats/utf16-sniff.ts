/** Code units the NUL-pattern sniff reads from the start of the bytes. */
const SNIFF_UNITS = 512;
/**
 * Code units that must show the pattern before it counts: a NUL or two in a few bytes of UTF-8
 * (`" x\0\n"` reads as two code units, one of them `00 0a`) is no evidence of UTF-16.
 */
const MIN_PATTERN_UNITS = 8;

/**
 * UTF-16 without a byte-order mark, told by its NUL pattern: text in the ASCII range (which log
 * lines mostly are, timestamps and keys at least) has a zero byte in every code unit, high byte
 * first in big endian. Judged on the first {@link SNIFF_UNITS} code units: UTF-16LE when at least
 * half of them are `xx 00` (xx non-zero) and under a tenth `00 xx`; UTF-16BE mirrored. Text in
 * any 8-bit charset has no NUL at alternating offsets, so it never qualifies; neither do runs of
 * NUL bytes (`00 00` counts for neither order). Needs {@link MIN_PATTERN_UNITS} code units in the
 * pattern, so a few bytes of UTF-8 with a NUL in them stay UTF-8.
 *
 * @example
 * sniffUtf16(Buffer.from('level=info\n', 'utf16le')); // 'UTF-16LE'
 */
export function sniffUtf16(bytes: Uint8Array): 'UTF-16LE' | 'UTF-16BE' | undefined {
  const units = Math.min(SNIFF_UNITS, bytes.length >> 1);
  if (units < MIN_PATTERN_UNITS) return undefined;
  let lowFirst = 0;
  let highFirst = 0;
  for (let i = 0; i < units; i++) {
    const a = bytes[2 * i] as number;
    const b = bytes[2 * i + 1] as number;
    if (a !== 0 && b === 0) lowFirst += 1;
    else if (a === 0 && b !== 0) highFirst += 1;
  }
  const enough = (n: number): boolean => n >= MIN_PATTERN_UNITS && n * 2 >= units;
  if (enough(lowFirst) && highFirst * 10 < units) return 'UTF-16LE';
  if (enough(highFirst) && lowFirst * 10 < units) return 'UTF-16BE';
  return undefined;
}
