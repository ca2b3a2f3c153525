import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SharedResources } from '../../../src/core/shared-resources.js';
import { fileSinkConfig, fileSinkKind } from '../../../src/kinds/file/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import { actorContext } from '../../kit/actor-context.js';

const lines = (values: string[]) => makeBatch(values.map((value) => ({ value, ts: 0 })), Ack.none(), 'test');

describe('file sink writers', () => {
  it("replicas of one sink share the file's one writer, which closes with the last of them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-file-shared-'));
    const shared = new SharedResources().acquire;
    const config = fileSinkConfig.parse({ path: join(dir, 'out.txt'), format: 'lines' });
    const [a, b] = await Promise.all([0, 1].map((replica) => fileSinkKind.create(config, actorContext({ dir, replica, replicas: 2, shared }))));
    await a!.connect();
    await b!.connect();
    await Promise.all([a!.write(lines(['a1', 'a2'])), b!.write(lines(['b1']))]);
    await a!.close();
    await b!.write(lines(['b2']));
    await b!.close();
    await b!.close();
    expect(readFileSync(join(dir, 'out.txt'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('a second sink writing the same file is refused, and the first keeps writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-file-shared-'));
    const shared = new SharedResources().acquire;
    const config = fileSinkConfig.parse({ path: join(dir, 'out.txt'), format: 'lines' });
    const first = await fileSinkKind.create(config, actorContext({ dir: join(dir, 'one'), shared }));
    const second = await fileSinkKind.create(config, actorContext({ dir: join(dir, 'two'), shared }));
    await first.connect();
    await expect(second.connect()).rejects.toThrow(/already written by another sink \(one sink per file\)/);
    await first.write(lines(['kept']));
    await first.close();
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('kept\n');
  });
});
