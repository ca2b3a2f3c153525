import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EndOfInput } from '../../../src/core/errors.js';
import { defineSource, type KindDefinition } from '../../../src/actors/kind.js';
import { decompressKind } from '../../../src/kinds/decompress.js';
import { parseKind } from '../../../src/kinds/parse.js';
import { splitKind } from '../../../src/kinds/split.js';
import { transcodeKind } from '../../../src/kinds/transcode.js';
import type { Manifest } from '../../../src/sample/manifest.js';
import type { LogRecord } from '../../../src/streams/record.js';
import type { Topology } from '../../../src/topology/model.js';
import { topology } from '../../runtime/harness.js';
import { configure } from './helpers.js';

const empty = z.strictObject({});

/**
 * Emits each sample file as one record, as the hdfs source does: the compressed bytes with
 * headers `file`, `source`, `path`, `size`, `mtime`. Reads `perBatch` files per read.
 */
export function sampleFiles(dir: string, manifest: Manifest, perBatch = 4): KindDefinition {
  return defineSource({
    name: 'sample-files',
    description: 'test source: sample files, one record each',
    config: empty,
    create() {
      let next = 0;
      return {
        async connect() {},
        async read() {
          if (next >= manifest.files.length) throw new EndOfInput();
          const entries = manifest.files.slice(next, next + perBatch);
          const records: LogRecord[] = await Promise.all(
            entries.map(async (f) => {
              const bytes = await readFile(join(dir, f.path));
              const file = `sample:${f.path}`;
              return {
                value: bytes,
                key: file,
                ts: 0,
                headers: {
                  file,
                  source: 'sample',
                  path: f.path,
                  size: String(bytes.length),
                  mtime: '0',
                },
              };
            }),
          );
          next += entries.length;
          return { records, position: next, label: `file ${next}` };
        },
        commit() {},
        async close() {},
      };
    },
  });
}

/** sample files → decompress → transcode → split → parse → collect, with `replicas` per stage. */
export function samplePipeline(
  source: KindDefinition,
  sink: KindDefinition,
  replicas = 2,
  chunkBytes = 1024 * 1024,
): Topology {
  return configure(
    topology([
      { id: 'files', role: 'source', kind: source },
      { id: 'decompress', role: 'stage', kind: decompressKind, inputs: ['files'], replicas },
      { id: 'transcode', role: 'stage', kind: transcodeKind, inputs: ['decompress'], replicas },
      { id: 'split', role: 'stage', kind: splitKind, inputs: ['transcode'], replicas },
      { id: 'parse', role: 'stage', kind: parseKind, inputs: ['split'], replicas },
      { id: 'collect', role: 'sink', kind: sink, inputs: ['parse'] },
    ]),
    { files: {}, decompress: { chunkBytes }, transcode: {}, split: {}, parse: {}, collect: {} },
  );
}
