import { stringify } from 'yaml';
import { z } from 'zod';
import type { KindDefinition, Role, SinkKind } from '../actors/kind.js';
import { defaultRegistry, type KindRegistry } from '../topology/kind-registry.js';
import { commonShape, headerShape, sections } from '../topology/schema.js';
import {
  casesFileSchema,
  conditionsSchema,
  expectedDeadLetterSchema,
  expectedRecordSchema,
  inputRecordSchema,
  matcherSchema,
  testCaseSchema,
} from './cases-schema.js';
import { kindExample } from '../topology/kind-example.js';
import { markdownTable, schemaRows, settingsTable, type SettingRow } from './settings-table.js';

const oneLine = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** The heading anchor GitHub gives `### name (role)`. */
const anchor = (kind: KindDefinition): string => `${kind.name}-${kind.role}`.toLowerCase().replace(/[^a-z0-9-]/g, '');

function kindsOf(registry: KindRegistry, role: Role): KindDefinition[] {
  return registry
    .kindNames(role)
    .map((name) => registry.findKind(role, name))
    .filter((k): k is KindDefinition => k !== undefined);
}

function exampleYaml(kind: KindDefinition): string {
  const section = sections.find((s) => s.role === kind.role)?.key ?? `${kind.role}s`;
  const id = kind.role === 'source' ? 'events' : kind.name;
  return stringify({ [section]: { [id]: kindExample(kind) } });
}

function kindSection(kind: KindDefinition): string[] {
  const about = oneLine(kind.config.description);
  return [
    `### ${kind.name} (${kind.role})`,
    '',
    oneLine(kind.description),
    ...(about && about !== oneLine(kind.description) ? ['', about] : []),
    ...(kind.role === 'sink' && kind.delivery !== undefined ? ['', `**Delivery: ${kind.delivery.guarantee}.** ${kind.delivery.detail}`] : []),
    '',
    '```yaml',
    exampleYaml(kind).trimEnd(),
    '```',
    '',
    settingsTable(kind.config).trimEnd(),
    '',
  ];
}

/** The sinks' delivery guarantees side by side. */
function deliverySection(kinds: readonly KindDefinition[]): string[] {
  const sinks = kinds.filter((k): k is SinkKind => k.role === 'sink');
  return [
    '## Delivery guarantees',
    '',
    'A source commits only what every sink downstream of it acknowledged, so a crash loses nothing',
    'acknowledged; the sources then re-read from their last commit. What the sinks differ in is',
    'whether such a replayed record can be stored twice:',
    '',
    '| sink | guarantee | under which failures |',
    '| --- | --- | --- |',
    ...sinks.map((k) => `| [\`${k.name}\`](#${anchor(k)}) | ${k.delivery?.guarantee ?? 'not stated'} | ${oneLine(k.delivery?.detail ?? '').replace(/\|/g, '\\|')} |`),
    '',
  ];
}

/** One table of the fields every actor has, with the roles each applies to. */
function commonSection(): string[] {
  const roles = new Map<string, Role[]>();
  const rows: SettingRow[] = [];
  for (const { role } of sections) {
    const shape = Object.fromEntries(Object.entries(commonShape(role)).filter(([key]) => key !== 'kind'));
    for (const row of schemaRows(z.object(shape))) {
      const seen = roles.get(row.name);
      if (seen === undefined) {
        roles.set(row.name, [role]);
        rows.push(row);
      } else seen.push(role);
    }
  }
  const on = (row: SettingRow): string => {
    const list = roles.get(row.name) ?? [];
    return list.length === sections.length ? 'all' : list.map((r) => `${r}s`).join(', ');
  };
  return [
    'Every actor has a `kind` and these fields beside its kind\'s own settings. The dead-letter sink',
    'takes no `inputs`: the runtime feeds it.',
    '',
    markdownTable(rows, { on }).trimEnd(),
    '',
  ];
}

function casesSection(): string[] {
  const parts: [string, z.core.$ZodType, string][] = [
    ['The file', casesFileSchema, 'A cases file lists the tests of one topology.'],
    ['A test', testCaseSchema, 'A test names its target: `actor`, or `from` and `to` (the stages on the paths between them).'],
    ['An input record (`input[]`)', inputRecordSchema, 'Give `value` or `base64`.'],
    ['An expected record (`outputs[]`)', expectedRecordSchema, 'Give `value` or `base64`; key, headers and stream are compared only when given.'],
    ['Conditions (`conditions`)', conditionsSchema, 'Field paths start at the record: `value.level`, `key`, `headers.host`, `value.tags[0]`.'],
    ['A check (`equals` / `matches` / `exists`)', matcherSchema, 'Used by conditions and dead-letter expectations.'],
    ['An expected dead letter (`deadLetters[]`)', expectedDeadLetterSchema, 'Each field is a check on the dead-letter entry.'],
  ];
  const out = [
    '## Config unit test files',
    '',
    '`millrace test <topology.yaml> <cases.yaml>` runs the real stages of a topology on the records a',
    'cases file gives and checks what leaves them; `schema/cases.schema.json` is the JSON Schema of',
    'these files. See `examples/logs.cases.yaml` (the default topology) and `examples/demo.cases.yaml`.',
    '',
  ];
  for (const [title, schema, note] of parts) out.push(`### ${title}`, '', note, '', settingsTable(schema, false).trimEnd(), '');
  return out;
}

/**
 * `docs/reference.md`, generated from the zod schemas: the top-level fields of a topology file,
 * the common fields of every role, every registered kind (role, description, a minimal example,
 * and a table of its settings with type, default and description), and the cases file format of
 * `millrace test`. `npm run schema` writes it; a test fails when the committed file is stale.
 *
 * @example
 * await writeFile('docs/reference.md', referenceDoc());
 */
export function referenceDoc(registry: KindRegistry = defaultRegistry): string {
  const all = sections.flatMap((s) => kindsOf(registry, s.role));
  const lines = [
    '<!-- Generated from the zod schemas by `npm run schema`: do not edit by hand (a test fails when it is stale). -->',
    '',
    '# millrace reference',
    '',
    'Every kind with its role, what it does and its settings, the fields every actor has, and the',
    'format of config unit test files. Editors get the same from the JSON Schemas in `schema/`.',
    '',
    '## Topology file',
    '',
    'The top level of `topology.yaml`, besides the `sources`, `stages` and `sinks` sections (each maps',
    'actor ids to actors).',
    '',
    settingsTable(z.object(headerShape)).trimEnd(),
    '',
    '## Common fields',
    '',
    ...commonSection(),
    ...deliverySection(all),
    '## Kinds',
    '',
    '| kind | role | what it does |',
    '| --- | --- | --- |',
    ...all.map((k) => `| [\`${k.name}\`](#${anchor(k)}) | ${k.role} | ${oneLine(k.description).replace(/\|/g, '\\|')} |`),
    '',
    ...all.flatMap(kindSection),
    ...casesSection(),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
