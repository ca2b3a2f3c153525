/** Code units the NUL-pattern sniff reads from the start of the bytes. */
const SNIFF_UNITS = 512;

/**
 * UTF-16 without a byte-order mark, told by its NUL pattern: text in the ASCII range (which log
 * lines mostly are, timestamps and keys at least) has a zero byte in every code unit, high byte
 * first in big endian. Judged on the first {@link SNIFF_UNITS} code units: UTF-16LE when at least
 * half of them are `xx 00` (xx non-zero) and under a tenth `00 xx`; UTF-16BE mirrored. Text in
 * any 8-bit charset has no NUL at alternating offsets, so it never qualifies; neither do runs of
 * NUL bytes (`00 00` counts for neither order). Needs at least two code units.
 *
 * @example
 * sniffUtf16(Buffer.from('level=info\n', 'utf16le')); // 'UTF-16LE'
 */
export function sniffUtf16(bytes: Uint8Array): 'UTF-16LE' | 'UTF-16BE' | undefined {
  const units = Math.min(SNIFF_UNITS, bytes.length >> 1);
  if (units < 2) return undefined;
  let lowFirst = 0;
  let highFirst = 0;
  for (let i = 0; i < units; i++) {
    const a = bytes[2 * i] as number;
    const b = bytes[2 * i + 1] as number;
    if (a !== 0 && b === 0) lowFirst += 1;
    else if (a === 0 && b !== 0) highFirst += 1;
  }
  if (lowFirst * 2 >= units && highFirst * 10 < units) return 'UTF-16LE';
  if (highFirst * 2 >= units && lowFirst * 10 < units) return 'UTF-16BE';
  return undefined;
}
