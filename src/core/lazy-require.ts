import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded the first time it is used rather than when millrace starts. For the
 * libraries of kinds most topologies never use (mysql2, gRPC, ZooKeeper, ...): loaded at start
 * they cost every run ~0.2 s and ~25 MB (docs/decisions/lazy-libraries.md). Synchronous, so the
 * sites that use them stay as they are; import the package's types with `import type`. An ES
 * module package cannot be required on Node 20: `await import()` it where it is used instead.
 *
 * @example
 * const mysql = lazyRequire<typeof import('mysql2/promise')>('mysql2/promise');
 * mysql().createPool({ uri });
 */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
