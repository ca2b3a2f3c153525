import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kindsTable, withKindsTable } from '../../src/authoring/readme-kinds.js';
import { kinds } from '../../src/kinds/registry.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's kinds table", () => {
  it('is the one generated from the registry (kinds and descriptions)', () => {
    expect(withKindsTable(readme) === readme, 'README.md is stale: run `npm run schema` and commit it').toBe(true);
  });

  it('lists every registered kind once with its role and description', () => {
    const table = kindsTable();
    for (const k of kinds) expect(table).toContain(`| \`${k.name}\` | ${k.role} | ${k.description} |`);
    expect(table.split('\n')).toHaveLength(kinds.length + 2);
  });

  it('changes when a description changes', () => {
    const [first, ...rest] = kinds;
    if (first === undefined) throw new Error('no kinds registered');
    const edited = withKindsTable(readme, kindsTable([{ ...first, description: 'Something else | entirely.' }, ...rest]));
    expect(edited).not.toBe(readme);
    expect(edited).toContain(`| \`${first.name}\` | ${first.role} | Something else \\| entirely. |`);
  });
});
