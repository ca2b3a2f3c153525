import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { loadTopology } from '../../src/topology/load.js';
import { pluginModuleOf } from '../../src/topology/plugins.js';

const fixtures = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));

/** A temp project with `topology.yaml` holding `yaml`, and the fixture package installed as `fixture-kinds`. */
function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-plugins-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(fixtures, 'package'), join(dir, 'node_modules', 'fixture-kinds'), 'dir');
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, yaml);
  return file;
}

const actors = (stage: string, sink = 'stdout'): string => `sources:
  gen: { kind: generator, count: 10 }
stages:
  up: { kind: ${stage}, inputs: [gen] }
sinks:
  out: { kind: ${sink}, inputs: [up] }
`;

describe('topology plugins', () => {
  it('registers the kinds a module listed by path exports, and remembers the module for worker threads', async () => {
    const result = await loadTopology(project(`plugins: [${join(fixtures, 'kinds.mjs')}]\n${actors('upper')}`));
    if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
    const up = result.topology.nodes.find((n) => n.id === 'up');
    expect(up?.kind.name).toBe('upper');
    expect(up?.config).toEqual({ suffix: '' });
    expect(pluginModuleOf(up?.kind ?? result.topology.nodes[0]!.kind)).toMatch(/^file:.*kinds\.mjs$/);
  });

  it("registers a package's kinds by the package's name, resolved from the topology's directory", async () => {
    const result = await loadTopology(project(`plugins: [fixture-kinds, ${join(fixtures, 'kinds.mjs')}]\n${actors('upper', 'tally')}`));
    if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
    expect(result.topology.nodes.find((n) => n.id === 'out')?.kind.name).toBe('tally');
  });

  it('checks plugin kinds\' settings like built-in ones', async () => {
    const result = await loadTopology(project(`plugins: [${join(fixtures, 'kinds.mjs')}]\n${actors('upper').replace('inputs: [gen] }', 'inputs: [gen], sufix: "!" }')}`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatTopologyErrors(result.errors)).toMatch(/stages\.up\.sufix: unknown key "sufix".*did you mean "suffix"/);
  });

  it('without the plugin, its kind is unknown: the topology does not load', async () => {
    const result = await loadTopology(project(actors('upper')));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatTopologyErrors(result.errors)).toMatch(/stages\.up\.kind: unknown stage kind "upper"/);
  });

  it('names the entry and the file when a module cannot be found or loaded, at its line and column', async () => {
    const file = project(`plugins:\n  - ./missing-kinds.mjs\n  - not-installed-kinds\n${actors('map')}`);
    const result = await loadTopology(file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = formatTopologyErrors(result.errors);
    expect(text).toContain(`${file}:2:5: plugins[0]: cannot load plugin "./missing-kinds.mjs" (${join(file, '..', 'missing-kinds.mjs')})`);
    expect(text).toContain(`${file}:3:5: plugins[1]: cannot find plugin "not-installed-kinds"`);
  });

  it('names the file and its exports when a module exports no kind', async () => {
    const result = await loadTopology(project(`plugins: [${join(fixtures, 'no-kinds.mjs')}]\n${actors('map')}`));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatTopologyErrors(result.errors)).toMatch(/plugins\[0\]: plugin ".*no-kinds\.mjs" exports no kind \(it exports helper\); expected kinds made with defineSource/);
  });

  it('refuses a plugin kind that reuses the name of a kind of the same role', async () => {
    const result = await loadTopology(project(`plugins: [${join(fixtures, 'clashing.mjs')}]\n${actors('map')}`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatTopologyErrors(result.errors)).toMatch(/plugins\[0\]: .*stage kind "map" is already registered by a built-in kind/);
  });

  it('checks the shape of the list with the other top-level settings', async () => {
    const result = await loadTopology(project(`plugins: ./kinds.mjs\n${actors('map')}`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatTopologyErrors(result.errors)).toMatch(/plugins: wrong type; expected a list/);
  });
});
