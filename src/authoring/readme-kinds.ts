import type { RegisteredKind } from '../actors/kind.js';
import { kinds } from '../kinds/registry.js';

const open = '<!-- kinds: generated from src/kinds/registry.ts by `npm run schema`; do not edit by hand -->';
const close = '<!-- /kinds -->';

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

/** The README's kinds table: every registered kind with its role and its `description`. */
export function kindsTable(registered: readonly RegisteredKind[] = kinds): string {
  const rows = registered.map((k) => `| \`${k.name}\` | ${k.role} | ${cell(k.description)} |`);
  return ['| kind | role | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * `readme` with the block between the kinds markers replaced by {@link kindsTable}, so the table
 * cannot drift from the kinds' descriptions (a test fails while README.md is stale).
 *
 * @example
 * writeFileSync('README.md', withKindsTable(readFileSync('README.md', 'utf8')));
 */
export function withKindsTable(readme: string, table = kindsTable()): string {
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no kinds block (${open} ... ${close})`);
  return `${readme.slice(0, start)}${open}\n${table}\n${readme.slice(end)}`;
}
