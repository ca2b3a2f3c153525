/**
 * Every topology in examples/ loads as `millrace validate` loads it (the README sends users to
 * them): a setting renamed or removed in a kind's schema fails here, not in a user's first run.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';

const dir = join(import.meta.dirname, '..', '..', 'examples');
const topologies = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.cases.yaml'));
/** What the examples read from the environment, as their comments tell a user to set it. */
const env = { BINLOG_URL: 'mysql://millrace:millrace@127.0.0.1:3306' };

describe('the example topologies', () => {
  it('are there', () => {
    expect(topologies).toEqual(expect.arrayContaining(['mirror-sender.yaml', 'mirror-receiver.yaml', 'collect-to-kafka.yaml']));
  });

  it.each(topologies)('%s loads without an error', async (name) => {
    const result = await loadTopology(join(dir, name), env);
    expect(result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([]);
  });
});
