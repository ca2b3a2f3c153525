import { z } from 'zod';
import type { ActorContext, StageIO, StageOutput } from '../actors/io.js';
import { defineStage, type Example, type RegisteredKind, type StageKind } from '../actors/kind.js';
import { outputPieces } from '../actors/output-pieces.js';
import { InvalidConfig } from '../core/errors.js';
import { Ack } from '../streams/ack.js';
import { makeBatch, type Batch } from '../streams/batch.js';

/** Kinds that cannot run inside a chain: they route to the chain's consumers, which a step has none of. */
const NOT_IN_A_CHAIN = new Set(['distribute', 'chain']);

const stepSchema = z
  .looseObject({ kind: z.string().min(1).describe('A registered stage kind, e.g. decompress.') })
  .describe(
    "One stage of the chain: its kind and that kind's settings, as they would be written on a stage of their own.",
  );

/** The kind and its checked settings of each step, or the reasons why not. */
function resolveSteps(
  registry: () => readonly RegisteredKind[],
  steps: readonly z.output<typeof stepSchema>[],
):
  | { kind: StageKind; config: Record<string, unknown> }[]
  | { path: (string | number)[]; message: string }[] {
  const out: { kind: StageKind; config: Record<string, unknown> }[] = [];
  const errors: { path: (string | number)[]; message: string }[] = [];
  steps.forEach((step, i) => {
    const { kind: name, ...settings } = step;
    const kind = registry().find(
      (k): k is RegisteredKind & StageKind => k.role === 'stage' && k.name === name,
    );
    if (kind === undefined) {
      const names = registry()
        .filter((k) => k.role === 'stage' && !NOT_IN_A_CHAIN.has(k.name))
        .map((k) => k.name);
      errors.push({
        path: [i, 'kind'],
        message: `unknown stage kind "${name}" (stage kinds: ${names.join(', ')})`,
      });
      return;
    }
    if (NOT_IN_A_CHAIN.has(name)) {
      errors.push({
        path: [i, 'kind'],
        message: `a ${name} stage cannot run inside a chain: put it before or after the chain, as a stage of its own`,
      });
      return;
    }
    const parsed = kind.config.safeParse(settings);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        errors.push({
          path: [i, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
          message: `${name}: ${issue.message}`,
        });
    else out.push({ kind, config: parsed.data as Record<string, unknown> });
  });
  return errors.length > 0 ? errors : out;
}

/** One batch through the steps from `i` on: every piece of step `i` goes through the rest before the next is pulled. */
async function* through(
  steps: readonly StageIO[],
  names: readonly string[],
  i: number,
  batch: Batch,
): AsyncGenerator<StageOutput> {
  if (i === steps.length) {
    yield { records: batch.records };
    return;
  }
  const pieces = outputPieces((steps[i] as StageIO).process(batch));
  try {
    for (let next = await pieces.next(); next.done !== true; next = await pieces.next()) {
      const piece = next.value;
      if ('partitions' in piece)
        throw new InvalidConfig(
          `chain step ${i} (${names[i]}) partitioned its output; only stages that pass records on can run inside a chain`,
        );
      if (piece.dead !== undefined && piece.dead.length > 0)
        yield { records: [], dead: piece.dead };
      if (piece.records.length === 0) continue;
      const inner = makeBatch(piece.records, Ack.none(), batch.position);
      inner.attempts = batch.attempts;
      if (batch.lastError !== undefined) inner.lastError = batch.lastError;
      yield* through(steps, names, i + 1, inner);
    }
  } finally {
    await pieces.return?.();
  }
}

/**
 * The `chain` stage over the kinds `registry` lists: several stages fused into one actor (docs/decisions/parallel-segments.md).
 * Steps are created with the chain's context under ids `<chain>/<index>-<kind>`; their dead
 * records go out as the chain's, with their reasons; their status shows under the chain's.
 *
 * @example
 * // topology.yaml
 * // stages:
 * //   lines:
 * //     kind: chain
 * //     inputs: [pollers]
 * //     replicas: 2
 * //     isolation: thread
 * //     stages: [{ kind: decompress }, { kind: transcode }, { kind: split }, { kind: parse }]
 */
export function chainKindOver(registry: () => readonly RegisteredKind[]): StageKind & Example {
  const config = z
    .strictObject({
      stages: z
        .array(stepSchema)
        .min(1)
        .superRefine((steps, ctx) => {
          const resolved = resolveSteps(registry, steps);
          for (const r of resolved)
            if ('message' in r) ctx.addIssue({ code: 'custom', path: r.path, message: r.message });
        })
        .describe(
          "The stages fused into this one, in order: each step gets the previous step's output, without a channel between them.",
        ),
    })
    .describe(
      "Runs a chain of stages as one: each replica passes a batch through every step in turn, streaming (a step that yields pieces, like decompress, hands each piece on before the next). With `isolation: thread` and `replicas: N`, the chain is a parallel segment: N worker threads, each taking one batch (for the log pipeline, one file) at a time, with only the chain's input and output crossing threads. At-least-once, like its steps; the batch is acked once every piece of it is.",
    );
  return defineStage({
    name: 'chain',
    example: { stages: [{ kind: 'split' }, { kind: 'parse', format: 'millrace' }] },
    description: 'Fuses a chain of stages into one; with isolation: thread, a parallel segment.',
    config,
    async create(settings: z.output<typeof config>, ctx: ActorContext) {
      const resolved = resolveSteps(registry, settings.stages);
      const steps: StageIO[] = [];
      const names: string[] = [];
      for (const [i, step] of resolved.entries()) {
        if ('message' in step)
          throw new InvalidConfig(`${ctx.id}: stages.${step.path.join('.')}: ${step.message}`);
        names.push(step.kind.name);
        steps.push(
          await step.kind.create(step.config as never, {
            ...ctx,
            id: `${ctx.id}/${i}-${step.kind.name}`,
          }),
        );
      }
      return {
        async connect() {
          for (const step of steps) await step.connect?.();
        },
        process: (batch: Batch) => through(steps, names, 0, batch),
        async close() {
          for (const step of steps) await step.close?.();
        },
        status() {
          return Object.fromEntries(
            steps.map((step, i) => [`${i}-${names[i] as string}`, step.status?.() ?? {}]),
          );
        },
      };
    },
  });
}
