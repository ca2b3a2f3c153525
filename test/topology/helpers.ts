import { formatTopologyErrors } from '../../src/topology/errors.js';
import { parseTopology } from '../../src/topology/load.js';
import { testRegistry } from './registry.js';

/** Lines joined: keeps the YAML in test tables readable. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The formatted errors of a topology that must be rejected, checked with the test kinds. */
export function errorsOf(text: string, env: Record<string, string> = {}): string {
  const result = parseTopology(text, 'topology.yaml', env, testRegistry);
  if (result.ok) throw new Error('expected the topology to be rejected');
  return formatTopologyErrors(result.errors);
}

/** A malformed topology and the one error it must produce, file:line:column first. */
export interface MalformedCase {
  name: string;
  text: string;
  error: string;
}
