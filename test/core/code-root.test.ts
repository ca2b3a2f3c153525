import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeFile, codeRoot, fromSources } from '../../src/core/code-root.js';

describe('code root', () => {
  it('is src/ when running from the TypeScript sources', () => {
    expect(fromSources).toBe(true);
    expect(fileURLToPath(codeRoot)).toBe(fileURLToPath(new URL('../../src/', import.meta.url)));
  });

  it('finds the files that sit beside the code: the transport .proto, the inspector page, package.json and the thread entry modules', () => {
    const files = ['gate/transport.proto', 'inspect/web/index.html', '../package.json', 'runtime/thread-host.ts', 'db/sqlite-thread-host.ts', 'kinds/hive/encode-thread-host.ts', 'core/thread-boot.mjs'];
    expect(files.filter((f) => !existsSync(codeFile(f)))).toEqual([]);
  });
});
