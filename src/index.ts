/**
 * millrace's package API: what a kind in your own package needs. Declare kinds with
 * defineSource/defineStage/defineSink, export them from a module, and list that module (a path
 * or your package's name) under `plugins:` in topology.yaml; `millrace run` and `millrace
 * validate` load it before checking the actors. Write config schemas with the `z` exported here,
 * the zod millrace validates with. See examples/kind-package.
 *
 * @example
 * import { defineStage, z } from 'millrace';
 * export const shout = defineStage({
 *   name: 'shout',
 *   description: 'Upper-cases text values.',
 *   config: z.strictObject({ suffix: z.string().default('!') }),
 *   create: (config) => ({
 *     process: (batch) => ({ records: batch.records.map((r) => ({ ...r, value: `${String(r.value).toUpperCase()}${config.suffix}` })) }),
 *   }),
 * });
 */
export { z } from 'zod';
export { defineSink, defineSource, defineStage } from './actors/kind.js';
export type { KindDefinition, Role, SinkKind, SourceKind, StageKind } from './actors/kind.js';
export type { ActorContext, Checkpoint, DeadRecord, Describable, SinkIO, SourceIO, SourceRead, StageIO, StageOutput } from './actors/io.js';
export type { Share, SharedLease, ShareOptions } from './core/shared-resources.js';
export * from './core/errors.js';
export type { Batch } from './streams/batch.js';
export type { Json, LogRecord, Payload } from './streams/record.js';
export { payloadText } from './streams/record.js';
