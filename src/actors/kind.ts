import type { z } from 'zod';
import type { ActorContext, SinkIO, SourceIO, StageIO } from './io.js';

export type Role = 'source' | 'stage' | 'sink';

interface KindBase<Config extends z.ZodObject> {
  /** Name used in topology.yaml `kind:`. Sources and sinks are nouns, stages are verbs. */
  readonly name: string;
  readonly description: string;
  /** Kind-specific settings: a strict zod object with descriptions and defaults. */
  readonly config: Config;
  /**
   * Settings of a minimal, realistic actor of this kind, as written in topology.yaml (besides
   * `kind` and `inputs`): shown in the reference and the JSON Schema. Every registered kind has
   * one (the registry's type requires it, and a test validates and runs it).
   */
  readonly example?: z.input<Config>;
  /** `none` for sinks fed by the runtime itself (the dead-letter sink); default `required`. */
  readonly inputs?: 'required' | 'none';
  /**
   * Replicas this kind runs for a config, when the config decides it (an HDFS source runs one
   * poller per configured poller slot); overrides the node's `replicas`.
   */
  replicasFor?(config: z.output<Config>): number;
  /**
   * Files the config names that must exist, by setting (`{ module: 'enrich.mjs' }`), relative to
   * the topology file: `validate` and `run` reject a missing one at that setting's position.
   */
  files?(config: z.output<Config>): Record<string, string>;
}

export interface SourceKind<Config extends z.ZodObject = z.ZodObject> extends KindBase<Config> {
  readonly role: 'source';
  create(config: z.output<Config>, ctx: ActorContext): SourceIO;
}

export interface StageKind<Config extends z.ZodObject = z.ZodObject> extends KindBase<Config> {
  readonly role: 'stage';
  create(config: z.output<Config>, ctx: ActorContext): StageIO | Promise<StageIO>;
}

/**
 * What a sink promises about its stored records when things fail: `exactly-once` (each record
 * stored once, crashes included), `idempotent` (a record stored again replaces itself),
 * `at-least-once` (a record replayed after a crash is stored again) or `discards` (nothing stored).
 */
export interface Delivery {
  readonly guarantee: 'exactly-once' | 'idempotent' | 'at-least-once' | 'discards';
  /** Under which failures, and where it weakens (shown in the reference). */
  readonly detail: string;
}

export interface SinkKind<Config extends z.ZodObject = z.ZodObject> extends KindBase<Config> {
  readonly role: 'sink';
  /** Its delivery guarantee; every registered sink states one (a test checks). */
  readonly delivery?: Delivery;
  create(config: z.output<Config>, ctx: ActorContext): SinkIO | Promise<SinkIO>;
}

export type KindDefinition = SourceKind | StageKind | SinkKind;

/** A kind that carries an example config. */
export interface Example {
  readonly example: object;
}

/** A kind as the registry lists it: with its example. */
export type RegisteredKind = KindDefinition & Example;

/** Declares a source kind with its config type inferred from the schema. */
export function defineSource<C extends z.ZodObject>(kind: Omit<SourceKind<C>, 'role'> & { example: z.input<C> }): SourceKind & Example;
export function defineSource<C extends z.ZodObject>(kind: Omit<SourceKind<C>, 'role'>): SourceKind;
export function defineSource<C extends z.ZodObject>(kind: Omit<SourceKind<C>, 'role'>): SourceKind {
  return { ...kind, role: 'source' } as SourceKind;
}

/** Declares a stage kind with its config type inferred from the schema. */
export function defineStage<C extends z.ZodObject>(kind: Omit<StageKind<C>, 'role'> & { example: z.input<C> }): StageKind & Example;
export function defineStage<C extends z.ZodObject>(kind: Omit<StageKind<C>, 'role'>): StageKind;
export function defineStage<C extends z.ZodObject>(kind: Omit<StageKind<C>, 'role'>): StageKind {
  return { ...kind, role: 'stage' } as StageKind;
}

/** Declares a sink kind with its config type inferred from the schema. */
export function defineSink<C extends z.ZodObject>(kind: Omit<SinkKind<C>, 'role'> & { example: z.input<C> }): SinkKind & Example;
export function defineSink<C extends z.ZodObject>(kind: Omit<SinkKind<C>, 'role'>): SinkKind;
export function defineSink<C extends z.ZodObject>(kind: Omit<SinkKind<C>, 'role'>): SinkKind {
  return { ...kind, role: 'sink' } as SinkKind;
}
