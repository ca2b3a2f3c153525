import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Supervisor,
  supervisionSchema,
  type SupervisionConfig,
} from '../../../src/actors/supervision/index.js';

interface JsonNode {
  description?: string;
  properties?: Record<string, JsonNode>;
}

describe('supervisionSchema', () => {
  it('fills every default from an empty object', () => {
    expect(supervisionSchema.parse({})).toEqual({
      strategy: 'one_for_one',
      restart: 'transient',
      intensity: { maxRestarts: 5, periodMs: 60_000 },
      backoff: { minMs: 100, maxMs: 30_000, jitter: 0.2, resetAfterMs: 60_000 },
    });
  });

  it('fills defaults inside partially given nested objects', () => {
    const config = supervisionSchema.parse({ strategy: 'rest_for_one', backoff: { maxMs: 5_000 } });
    expect(config.strategy).toBe('rest_for_one');
    expect(config.backoff).toEqual({ minMs: 100, maxMs: 5_000, jitter: 0.2, resetAfterMs: 60_000 });
  });

  it('is strict: unknown keys are rejected, at every level', () => {
    expect(supervisionSchema.safeParse({ stratgey: 'one_for_all' }).success).toBe(false);
    expect(supervisionSchema.safeParse({ intensity: { maxRestart: 3 } }).success).toBe(false);
  });

  it('rejects invalid values', () => {
    expect(supervisionSchema.safeParse({ strategy: 'all_for_one' }).success).toBe(false);
    expect(supervisionSchema.safeParse({ restart: 'sometimes' }).success).toBe(false);
    expect(supervisionSchema.safeParse({ intensity: { maxRestarts: -1 } }).success).toBe(false);
    expect(supervisionSchema.safeParse({ intensity: { periodMs: 0 } }).success).toBe(false);
    expect(supervisionSchema.safeParse({ backoff: { minMs: 500, maxMs: 100 } }).success).toBe(
      false,
    );
    expect(supervisionSchema.safeParse({ backoff: { jitter: -0.1 } }).success).toBe(false);
  });

  it('describes every field, down to the nested ones', () => {
    const json = z.toJSONSchema(supervisionSchema, { io: 'input' }) as JsonNode;
    const undescribed: string[] = [];
    const walk = (node: JsonNode, path: string): void => {
      if (!node.description) undescribed.push(path);
      for (const [key, child] of Object.entries(node.properties ?? {}))
        walk(child, `${path}.${key}`);
    };
    walk(json, '$');
    expect(undescribed).toEqual([]);
    expect(Object.keys(json.properties ?? {})).toEqual([
      'strategy',
      'restart',
      'intensity',
      'backoff',
    ]);
  });

  it('a parsed config can be passed to the Supervisor as options', () => {
    const config: SupervisionConfig = supervisionSchema.parse({});
    expect(new Supervisor('s', [], config).id).toBe('s');
  });
});
