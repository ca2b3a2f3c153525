import { z } from 'zod';

const text = z.string();
const jsonObject = z.record(z.string(), z.unknown());

/**
 * One check on a value: every condition given must hold. `matches` is a JavaScript regular
 * expression tested against strings (other values against their JSON text).
 */
export const matcherSchema = z
  .strictObject({
    equals: z.unknown().optional().describe('The value must equal this (deep equality for mappings and lists).'),
    matches: text.optional().describe('A regular expression the value must match; non-strings are matched as JSON.'),
    exists: z.boolean().optional().describe('true: the field must be present (not null); false: it must be absent or null.'),
  })
  .describe('A check on one field: equals, matches and/or exists.');
export type Matcher = z.output<typeof matcherSchema>;

/** A record fed into the target: `value` (text or a mapping) or `base64` (bytes). */
export const inputRecordSchema = z
  .strictObject({
    value: z.union([text, jsonObject]).optional().describe('The payload: a string, or a mapping for structured records.'),
    base64: text.optional().describe('A binary payload, base64-encoded (instead of value).'),
    key: text.optional().describe('The record key.'),
    headers: z.record(z.string(), text).optional().describe('Record headers.'),
    stream: text.optional().describe('Stream id.'),
    ts: z.number().optional().describe('Event time in ms since the epoch; default 1704067200000 (2024-01-01T00:00:00Z).'),
  })
  .describe('One input record.');
export type InputRecord = z.output<typeof inputRecordSchema>;

/** A record the target must emit. Fields left out (key, headers, stream) are not compared. */
export const expectedRecordSchema = z
  .strictObject({
    value: z.union([text, jsonObject]).optional().describe('The expected payload: a string, or a mapping compared deeply.'),
    base64: text.optional().describe('The expected binary payload, base64-encoded (instead of value).'),
    key: text.nullable().optional().describe('The expected key; null: no key. Not compared when left out.'),
    headers: z.record(z.string(), text).nullable().optional().describe('The expected headers, all of them; null: none. Not compared when left out.'),
    stream: text.nullable().optional().describe('The expected stream id; null: none. Not compared when left out.'),
    consumer: text.optional().describe('The consumer of the target this record must be routed to (partitioning stages).'),
  })
  .describe('One expected output record.');
export type ExpectedRecord = z.output<typeof expectedRecordSchema>;

const fieldChecks = z
  .record(z.string(), matcherSchema)
  .describe('Checks by field path into the record: value.level, key, headers.host, value.tags[0].');

/** Checks over all the records leaving the target. */
export const conditionsSchema = z
  .strictObject({
    count: z.number().int().nonnegative().optional().describe('Exactly this many records leave the target.'),
    every: fieldChecks.optional().describe('Checks every output record must pass.'),
    some: fieldChecks.optional().describe('Checks at least one output record must pass.'),
    none: fieldChecks.optional().describe('Checks no output record may pass.'),
  })
  .describe('Conditions on the output records.');
export type Conditions = z.output<typeof conditionsSchema>;

/** A record the run must dead-letter, by the fields of its dead-letter entry. */
export const expectedDeadLetterSchema = z
  .strictObject({
    reason: matcherSchema.optional().describe('Why it was rejected, e.g. { matches: "threw" }.'),
    actor: matcherSchema.optional().describe('The actor that rejected it.'),
    value: matcherSchema.optional().describe('The rejected record\'s value (text, or the mapping).'),
    key: matcherSchema.optional().describe('The rejected record\'s key.'),
  })
  .describe('One expected dead letter.');
export type ExpectedDeadLetter = z.output<typeof expectedDeadLetterSchema>;

/** One config unit test. */
export const testCaseSchema = z
  .strictObject({
    name: text.min(1).describe('What the test shows; printed with its result.'),
    actor: text.min(1).optional().describe('The stage under test (instead of from/to).'),
    from: text.min(1).optional().describe('First stage of the sub-graph under test: the input goes here.'),
    to: text.min(1).optional().describe('Last stage of the sub-graph under test: its output is checked.'),
    input: z.array(inputRecordSchema).describe('Records fed into the target, in order, as one batch.'),
    outputs: z.array(expectedRecordSchema).optional().describe('Exactly the records that must leave the target, in order unless unordered.'),
    unordered: z.boolean().default(false).describe('Compare outputs in any order (a partitioning stage emits its outputs consumer by consumer).'),
    conditions: conditionsSchema.optional(),
    deadLetters: z
      .array(expectedDeadLetterSchema)
      .optional()
      .describe('The dead letters the run must produce, in order. Left out: the run must produce none.'),
    timeoutMs: z.number().int().positive().default(10_000).describe('The test fails when the run takes longer.'),
  })
  .describe('One test: a target (actor, or from/to), input records and expectations.');
export type TestCase = z.output<typeof testCaseSchema>;

/** A cases file: config unit tests of one topology, run by `millrace test`. */
export const casesFileSchema = z
  .strictObject({
    tests: z.array(testCaseSchema).min(1).describe('The tests, run one after another.'),
  })
  .describe('Config unit tests for a millrace topology (millrace test <topology.yaml> <cases.yaml>).');
export type CasesFile = z.output<typeof casesFileSchema>;
