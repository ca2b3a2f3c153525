import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret token, hex: what a registry keeps instead of the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `token` hashes to `sha256`, in constant time. */
export function tokenMatches(token: string, sha256: string): boolean {
  const expected = Buffer.from(sha256, 'hex');
  const actual = Buffer.from(tokenHash(token), 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
