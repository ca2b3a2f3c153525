import type { KindDefinition, Role } from './kind.js';
import { blackholeKind } from './kinds/blackhole-sink.js';
import { databaseKind } from './kinds/database/sink.js';
import { deadletterKind } from './kinds/deadletter-sink.js';
import { fileSinkKind } from './kinds/file-sink.js';
import { fileSourceKind } from './kinds/file-source.js';
import { filterKind } from './kinds/filter.js';
import { generatorKind } from './kinds/generator.js';
import { hdfsKind } from './kinds/hdfs/hdfs-source.js';
import { kafkaSinkKind } from './kinds/kafka/sink.js';
import { kafkaSourceKind } from './kinds/kafka/source.js';
import { mapKind } from './kinds/map.js';
import { decompressKind } from './kinds/pipeline/decompress.js';
import { distributeKind } from './kinds/pipeline/distribute.js';
import { parseKind } from './kinds/pipeline/parse.js';
import { splitKind } from './kinds/pipeline/split.js';
import { transcodeKind } from './kinds/pipeline/transcode.js';
import { stdoutSinkKind } from './kinds/stdout-sink.js';

/** Every kind millrace knows, one line each. */
export const kinds: readonly KindDefinition[] = [
  generatorKind,
  fileSourceKind,
  kafkaSourceKind,
  hdfsKind,
  mapKind,
  filterKind,
  decompressKind,
  transcodeKind,
  distributeKind,
  splitKind,
  parseKind,
  fileSinkKind,
  kafkaSinkKind,
  stdoutSinkKind,
  blackholeKind,
  deadletterKind,
  databaseKind,
];

/** The kind registered under `name` for `role`, if any. */
export function findKind(role: Role, name: string): KindDefinition | undefined {
  return kinds.find((k) => k.role === role && k.name === name);
}

/** Names registered for a role, for did-you-mean suggestions and the JSON Schema. */
export function kindNames(role: Role): string[] {
  return kinds.filter((k) => k.role === role).map((k) => k.name);
}
