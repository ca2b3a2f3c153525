import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { topologyJsonSchema, topologyJsonSchemaText } from '../../src/topology/json-schema.js';
import { registryOf, testFile, testGenerator, testRegistry } from './registry.js';

type Json = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): Json => {
  let current = value;
  for (const key of path) current = (current as Json | unknown[])[key as never];
  return current as Json;
};

describe('topology JSON Schema', () => {
  const schema = topologyJsonSchema(testRegistry);

  it('is draft-07 with the header fields optional', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toEqual(['sources', 'sinks']);
    expect(schema.additionalProperties).toBe(false);
    expect(at(schema, 'properties', 'dataDir')).toMatchObject({
      type: 'string',
      default: '.millrace',
    });
  });

  it('maps ids to oneOf the kinds of the role, told apart by a kind const', () => {
    const sinks = at(schema, 'properties', 'sinks');
    expect(at(sinks, 'propertyNames')).toEqual({
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_-]*$',
    });
    const options = at(sinks, 'additionalProperties', 'oneOf') as unknown as Json[];
    expect(options.map((o) => at(o, 'properties', 'kind', 'const'))).toEqual([
      'file',
      'deadletter',
    ]);
    const [file, deadletter] = options;
    expect(file).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['kind', 'inputs', 'path']),
    });
    expect(at(file, 'properties', 'path', 'description')).toBe('File to append to.');
    expect(at(deadletter, 'properties')).not.toHaveProperty('inputs');
    expect(at(deadletter, 'properties', 'path', 'default')).toBe('dead.jsonl');
    expect(at(file, 'properties', 'channel', 'properties', 'overflow', 'default')).toBe(
      'backpressure',
    );
  });

  it('lets numbers and booleans be ${VAR} references, keeping descriptions and defaults outside', () => {
    const source = at(
      schema,
      'properties',
      'sources',
      'additionalProperties',
      'oneOf',
      0,
      'properties',
    );
    expect(at(source, 'rate')).toEqual({
      default: 0,
      description: 'Records per second; 0 for unlimited.',
      anyOf: [
        { type: 'number', minimum: 0 },
        expect.objectContaining({
          type: 'string',
          pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
        }),
      ],
    });
  });

  it('has no option for a role without kinds', () => {
    const only = topologyJsonSchema(registryOf([testGenerator, testFile]));
    expect(at(only, 'properties', 'stages', 'additionalProperties')).toEqual({ not: {} });
  });

  it('is committed up to date: run `npm run schema` after changing a kind', async () => {
    const committed = await readFile(
      new URL('../../schema/topology.schema.json', import.meta.url),
      'utf8',
    ).catch(() => '');
    const fresh = topologyJsonSchemaText();
    expect(
      committed === fresh,
      'schema/topology.schema.json is stale: run `npm run schema` and commit it',
    ).toBe(true);
  });
});
