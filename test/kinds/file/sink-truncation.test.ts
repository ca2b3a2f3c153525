import { appendFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSinkConfig, fileSinkKind } from '../../../src/kinds/file/sink.js';
import { fileSourceKind } from '../../../src/kinds/file/source.js';
import { topology } from '../../runtime/harness.js';
import { logsDir, start, tailConfig } from './helpers.js';
import { eventually } from '../../kit/eventually.js';
import { linesOf } from './tail-process.js';

describe('file sink after a truncated input file', () => {
  it('stores the lines written after a truncation (a new stream at offset 0), across a restart, each once', async () => {
    const dir = logsDir();
    const log = join(dir, 'a.log');
    // Elsewhere: a file holding the same bytes beside it would be taken for a copytruncate copy.
    const out = join(dir, 'out', 'out.txt');
    appendFileSync(log, 'old-line-1\nold-line-2\nold-line-3\n');
    const t = topology([
      { id: 'src', role: 'source', kind: fileSourceKind },
      { id: 'out', role: 'sink', kind: fileSinkKind, inputs: ['src'] },
    ]);
    (t.nodes[0] as { config: unknown }).config = tailConfig([log]);
    (t.nodes[1] as { config: unknown }).config = fileSinkConfig.parse({ path: out, format: 'lines' });
    let running = await start(t);
    await eventually(() => linesOf(out).length === 3, { what: 'the old lines' });
    // Same offsets as lines already stored: only the new stream tells them apart.
    truncateSync(log, 0);
    appendFileSync(log, 'new-1\nnew-2\n');
    await eventually(() => linesOf(out).length === 5, { what: 'the lines after the truncation' });
    await running.stop();
    running = await start(t);
    appendFileSync(log, 'new-3\n');
    await eventually(() => linesOf(out).length >= 6, { what: 'the line after the restart' });
    await running.stop();
    expect(linesOf(out)).toEqual(['old-line-1', 'old-line-2', 'old-line-3', 'new-1', 'new-2', 'new-3']);
  });
});
