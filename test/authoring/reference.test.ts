import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { kinds } from '../../src/kinds/registry.js';
import { casesJsonSchemaText } from '../../src/authoring/cases-json-schema.js';
import { kindExample } from '../../src/topology/kind-example.js';
import { referenceDoc } from '../../src/authoring/reference-doc.js';
import { topologyJsonSchema } from '../../src/topology/json-schema.js';
import { nodeSchema } from '../../src/topology/schema.js';

type Json = Record<string, unknown>;

const committed = (path: string): Promise<string> => readFile(new URL(`../../${path}`, import.meta.url), 'utf8').catch(() => '');

describe('kind examples', () => {
  it.each(kinds.map((k) => [`${k.role} ${k.name}`, k] as const))('the example of %s is a valid actor of that kind', (_name, kind) => {
    const example = kindExample(kind);
    expect(nodeSchema(kind).safeParse(example).error).toBeUndefined();
    const settings = Object.fromEntries(Object.entries(example).filter(([key]) => key in kind.config.shape));
    expect(kind.config.safeParse(settings).error).toBeUndefined();
  });

  it('are carried by every kind of the generated topology schema as `examples`', () => {
    const schema = topologyJsonSchema() as { properties: Record<string, Json> };
    for (const section of ['sources', 'stages', 'sinks']) {
      const options = (schema.properties[section]?.additionalProperties as { oneOf: Json[] }).oneOf;
      for (const option of options) {
        const kind = (option.properties as Record<string, Json>).kind?.const;
        expect(option.examples, `${section} ${String(kind)}`).toEqual([expect.objectContaining({ kind })]);
      }
    }
  });
});

describe('docs/reference.md', () => {
  const doc = referenceDoc();

  it('has every registered kind with its role, description, example and settings table', () => {
    for (const kind of kinds) {
      const heading = `### ${kind.name} (${kind.role})`;
      expect(doc).toContain(heading);
      const section = doc.slice(doc.indexOf(heading), doc.indexOf('\n### ', doc.indexOf(heading) + 1));
      expect(section).toContain(kind.description);
      expect(section).toContain(`    kind: ${kind.name}`);
      for (const key of Object.keys(kind.config.shape)) expect(section).toContain(`| \`${key}\` |`);
    }
  });

  it('states the delivery guarantee of every registered sink, in its section and in the table of guarantees', () => {
    const table = doc.slice(doc.indexOf('## Delivery guarantees'), doc.indexOf('## Kinds'));
    for (const kind of kinds) {
      if (kind.role !== 'sink') continue;
      expect(kind.delivery, `sink ${kind.name} states no delivery guarantee`).toBeDefined();
      expect(table).toContain(`| [\`${kind.name}\`](#${kind.name}-sink) | ${kind.delivery?.guarantee} |`);
      expect(doc).toContain(`**Delivery: ${kind.delivery?.guarantee}.** ${kind.delivery?.detail}`);
    }
  });

  it('lists settings with type, default and description, and common fields with the roles they apply to', () => {
    expect(doc).toContain('| `module` | string | required | Path of a JS or TS module, relative to the topology file. |');
    expect(doc).toContain('| `rate` | number ≥ 0 | `0` | Records per second; 0 emits as fast as downstream accepts. |');
    expect(doc).toContain('| `channel.overflow` | stages, sinks | `"backpressure"` \\| `"dropHead"` \\| `"dropNew"` \\| `"fail"` | `"backpressure"` |');
    expect(doc).toContain('| `replicas` | all | integer > 0 or `"auto"` | `1` |');
    expect(doc).toContain('## Config unit test files');
  });

  it('is committed up to date: run `npm run schema` after changing a kind', async () => {
    expect(doc === (await committed('docs/reference.md')), 'docs/reference.md is stale: run `npm run schema` and commit it').toBe(true);
  });
});

describe('schema/cases.schema.json', () => {
  it('is committed up to date: run `npm run schema` after changing the cases format', async () => {
    expect(casesJsonSchemaText() === (await committed('schema/cases.schema.json')), 'schema/cases.schema.json is stale: run `npm run schema`').toBe(true);
  });

  it('is draft-07 and describes the fields of a test', () => {
    const schema = JSON.parse(casesJsonSchemaText()) as Json;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const test = ((schema.properties as Record<string, Json>).tests?.items ?? {}) as Json;
    expect(test.required).toEqual(['name', 'input']);
    expect(Object.keys(test.properties as Json)).toEqual(['name', 'actor', 'from', 'to', 'input', 'outputs', 'unordered', 'conditions', 'deadLetters', 'timeoutMs']);
  });
});
