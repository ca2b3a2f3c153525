import type { z } from 'zod';
import type { ActorContext, SinkIO, SourceIO, StageIO } from './io.js';

export type Role = 'source' | 'stage' | 'sink';

interface KindBase<Config extends z.ZodObject> {
  /** Name used in topology.yaml `kind:`. Sources and sinks are nouns, stages are verbs. */
  readonly name: string;
  readonly description: string;
  /** Kind-specific settings: a strict zod object with descriptions and defaults. */
  readonly config: Config;
  /** `none` for sinks fed by the runtime itself (the dead-letter sink); default `required`. */
  readonly inputs?: 'required' | 'none';
  /**
   * Replicas this kind runs for a config, when the config decides it (an HDFS source runs one
   * poller per configured poller slot); overrides the node's `replicas`.
   */
  replicasFor?(config: z.output<Config>): number;
}

export interface SourceKind<Config extends z.ZodObject = z.ZodObject> extends KindBase<Config> {
  readonly role: 'source';
  create(config: z.output<Config>, ctx: ActorContext): SourceIO;
}

export interface StageKind<Config extends z.ZodObject = z.ZodObject> extends KindBase<Config> {
  readonly role: 'stage';
  create(config: z.output<Config>, ctx: ActorContext): StageIO | Promise<StageIO>;
}

export interface SinkKind<Config extends z.ZodObject = z.ZodObject> extends KindBase<Config> {
  readonly role: 'sink';
  create(config: z.output<Config>, ctx: ActorContext): SinkIO | Promise<SinkIO>;
}

export type KindDefinition = SourceKind | StageKind | SinkKind;

/** Declares a source kind with its config type inferred from the schema. */
export function defineSource<C extends z.ZodObject>(kind: Omit<SourceKind<C>, 'role'>): SourceKind {
  return { ...kind, role: 'source' } as SourceKind;
}

/** Declares a stage kind with its config type inferred from the schema. */
export function defineStage<C extends z.ZodObject>(kind: Omit<StageKind<C>, 'role'>): StageKind {
  return { ...kind, role: 'stage' } as StageKind;
}

/** Declares a sink kind with its config type inferred from the schema. */
export function defineSink<C extends z.ZodObject>(kind: Omit<SinkKind<C>, 'role'>): SinkKind {
  return { ...kind, role: 'sink' } as SinkKind;
}
