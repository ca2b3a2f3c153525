/** The unsigned 32-bit little-endian number at `b[i..i+4)` (frame headers of LZ4 and zstd). */
export function u32(b: Uint8Array, i: number): number {
  return (
    ((b[i] as number) |
      ((b[i + 1] as number) << 8) |
      ((b[i + 2] as number) << 16) |
      ((b[i + 3] as number) << 24)) >>>
    0
  );
}
