import {
  formatPath,
  listNames,
  topologyError,
  type DocPath,
  type Explanation,
  type TopologyError,
} from './errors.js';
import { findCycles } from './graph.js';
import { takesInputs } from './schema.js';
import type { Position, SourceMap } from './source-map.js';
import { didYouMean } from './suggest.js';
import type { NodeDraft } from './validate-node.js';

/** What {@link checkReferences} needs besides the actors. */
export interface ReferenceContext {
  file: string;
  map: SourceMap;
  /** Whether earlier checks found errors: unconsumed outputs are then not reported. */
  hasErrors: boolean;
  /** Whether a whole section could not be read: unknown inputs are then not reported. */
  incomplete: boolean;
}

/**
 * Checks what ties actors together: ids unique across sections, every input naming a
 * source or stage (with did-you-mean), no input twice, at most one sink without inputs,
 * no cycles, and every source and stage consumed. Returns the actors with duplicates removed.
 */
export function checkReferences(
  drafts: readonly NodeDraft[],
  ctx: ReferenceContext,
): { nodes: NodeDraft[]; errors: TopologyError[] } {
  const errors: TopologyError[] = [];
  const report = (path: DocPath, at: Position, e: Explanation): void => {
    errors.push(topologyError(ctx.file, at, path, e));
  };
  const byId = new Map<string, NodeDraft>();
  for (const draft of drafts) {
    const first = byId.get(draft.id);
    if (!first) {
      byId.set(draft.id, draft);
      continue;
    }
    report(draft.path, draft.at, {
      message: `duplicate id ${JSON.stringify(draft.id)}`,
      expected: 'ids unique across sources, stages and sinks',
      hint: `${formatPath(first.path)} at ${first.at.line}:${first.at.column} has it already`,
    });
  }
  const nodes = [...byId.values()];
  // Built once and only for an error: per actor, it made validation quadratic in the actors.
  const allProducers = nodes.filter((n) => n.role !== 'sink').map((n) => n.id);
  const others = (id: string): string[] => allProducers.filter((p) => p !== id);
  const expectedFor = (id: string): string => {
    const producers = others(id);
    return `the id of a source or stage (${producers.length > 0 ? listNames(producers) : 'there are none'})`;
  };
  // Inputs are located only when reported: most never are.
  const at = (input: { path: DocPath }): Position => ctx.map.locate(input.path);
  for (const node of nodes) {
    const seen = new Set<string>();
    for (const input of node.inputs) {
      const target = byId.get(input.id);
      if (seen.has(input.id)) {
        report(input.path, at(input), {
          message: `duplicate input ${JSON.stringify(input.id)}`,
          hint: 'list each input once',
        });
      } else if (!target && !ctx.incomplete) {
        const hint = didYouMean(input.id, others(node.id));
        report(input.path, at(input), {
          message: `unknown input ${JSON.stringify(input.id)}`,
          expected: expectedFor(node.id),
          ...(hint ? { hint } : {}),
        });
      } else if (target?.role === 'sink') {
        report(input.path, at(input), {
          message: `input ${JSON.stringify(input.id)} is a sink`,
          expected: expectedFor(node.id),
          hint: 'sinks have no output to read',
        });
      }
      seen.add(input.id);
    }
  }
  const inputless = nodes.filter((n) => n.role === 'sink' && n.kind && !takesInputs(n.kind));
  const [keeper, ...extra] = inputless;
  for (const node of extra) {
    report(node.path, node.at, {
      message: 'only one sink may take no inputs',
      hint: `${formatPath(keeper?.path ?? [])} already does`,
    });
  }
  const graph = nodes.map((n) => ({ id: n.id, role: n.role, inputs: n.inputs.map((i) => i.id) }));
  for (const cycle of findCycles(graph)) {
    const first = byId.get(cycle[0] ?? '');
    if (!first) continue;
    report(first.path, first.at, {
      message: `cycle in inputs: ${cycle.join(' -> ')}`,
      hint: 'an actor cannot read its own output, directly or through others',
    });
  }
  if (!ctx.hasErrors && errors.length === 0) {
    const consumed = new Set(nodes.flatMap((n) => n.inputs.map((i) => i.id)));
    for (const node of nodes) {
      if (node.role === 'sink' || consumed.has(node.id)) continue;
      report(node.path, node.at, {
        message: `the output of ${JSON.stringify(node.id)} goes nowhere`,
        expected: `${JSON.stringify(node.id)} among the inputs of a stage or sink`,
      });
    }
  }
  return { nodes, errors };
}
