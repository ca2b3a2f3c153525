import type { KindDefinition, RegisteredKind, Role } from '../actors/kind.js';
import { binlogSourceKind } from './binlog/source.js';
import { agentSinkKind } from './agent/sink.js';
import { blackholeKind } from './blackhole.js';
import { chainKindOver } from './chain.js';
import { changelogKind } from './changelog.js';
import { databaseKind } from './database/sink.js';
import { deadletterKind } from './deadletter.js';
import { fileSinkKind } from './file/sink.js';
import { fileSourceKind } from './file/source.js';
import { falconSinkKind } from './falcon/sink.js';
import { falconStageKind } from './falcon/stage.js';
import { filterKind } from './filter.js';
import { gatewaySourceKind } from './gateway/source.js';
import { generatorKind } from './generator.js';
import { hdfsKind } from './hdfs/source.js';
import { hiveSinkKind } from './hive/sink.js';
import { kafkaSinkKind } from './kafka/sink.js';
import { kafkaSourceKind } from './kafka/source.js';
import { checkpointKind } from './link/checkpoint.js';
import { linkReceiverKind } from './link/receiver.js';
import { linkSenderKind } from './link/sender.js';
import { mapKind } from './map.js';
import { openSearchSinkKind } from './opensearch/sink.js';
import { decompressKind } from './decompress.js';
import { distributeKind } from './distribute.js';
import { parseKind } from './parse.js';
import { pushgatewaySinkKind } from './pushgateway/sink.js';
import { splitKind } from './split.js';
import { transcodeKind } from './transcode.js';
import { socketSourceKind } from './socket/source.js';
import { stdoutSinkKind } from './stdout.js';

/** Stages fused into one, over the kinds registered here (docs/decisions/parallel-segments.md). */
export const chainKind = chainKindOver(() => kinds);

/** Every kind millrace knows, one line each. */
export const kinds: readonly RegisteredKind[] = [
  generatorKind,
  fileSourceKind,
  kafkaSourceKind,
  linkReceiverKind,
  hdfsKind,
  binlogSourceKind,
  gatewaySourceKind,
  socketSourceKind,
  mapKind,
  filterKind,
  decompressKind,
  transcodeKind,
  distributeKind,
  splitKind,
  parseKind,
  falconStageKind,
  changelogKind,
  checkpointKind,
  chainKind,
  fileSinkKind,
  kafkaSinkKind,
  linkSenderKind,
  stdoutSinkKind,
  blackholeKind,
  deadletterKind,
  databaseKind,
  falconSinkKind,
  pushgatewaySinkKind,
  openSearchSinkKind,
  hiveSinkKind,
  agentSinkKind,
];

/** The kind registered under `name` for `role`, if any. */
export function findKind(role: Role, name: string): KindDefinition | undefined {
  return kinds.find((k) => k.role === role && k.name === name);
}

/** Names registered for a role, for did-you-mean suggestions and the JSON Schema. */
export function kindNames(role: Role): string[] {
  return kinds.filter((k) => k.role === role).map((k) => k.name);
}
