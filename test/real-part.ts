/**
 * Whether tests that need a real part (a tool, a browser) must be skipped because it is missing.
 * Outside CI they are, with a line saying what to install. In CI (`CI` set, as `.ci/run` does)
 * a missing part is an error, never a skip: the test file fails with that line.
 *
 * @example
 * it.skipIf(missingPart(hasZstd, 'the zstd tool', 'apt-get install zstd'))('...', () => {});
 */
export function missingPart(present: boolean, part: string, install: string): boolean {
  if (present) return false;
  const message = `${part} is missing: install it (${install})`;
  const ci = process.env.CI;
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') {
    throw new Error(`${message}. In CI, tests that need it fail instead of being skipped.`);
  }
  console.warn(`skipping the tests that need ${part}: ${message}`);
  return true;
}
