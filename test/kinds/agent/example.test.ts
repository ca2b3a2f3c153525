import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/topology/load.js';

describe('examples/agent.yaml', () => {
  it('validates: file tail and socket source into the agent sink', async () => {
    const result = await loadTopology(fileURLToPath(new URL('../../../examples/agent.yaml', import.meta.url)), {});
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
    expect(result.topology.nodes.map((n) => `${n.id}:${n.kind.name}`)).toEqual(['files:file', 'apps:socket', 'gateway:agent']);
  });
});
