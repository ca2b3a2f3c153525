import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments, ensureOpenSearch, openSearchJson, type OpenSearchHandle } from './node.js';

interface NodesInfo {
  nodes: Record<string, { version: string; modules: { name: string }[]; plugins: { name: string }[] }>;
}

describe('OpenSearch test infrastructure', () => {
  let node: OpenSearchHandle | undefined;
  const index = `millrace-infra-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    node = await ensureOpenSearch();
  }, 240_000);

  afterAll(async () => {
    if (node) {
      await openSearchJson(node.url, 'DELETE', `/${index}`).catch(() => undefined);
      await node.stop();
    }
  }, 120_000);

  it('a started node is OpenSearch 2.19.6 with the netty4, painless and analysis-common modules and no security plugin', async () => {
    if (!node) throw new Error('OpenSearch not started');
    const info = await openSearchJson<NodesInfo>(node.url, 'GET', '/_nodes/plugins');
    const [only] = Object.values(info.nodes);
    expect(Object.keys(info.nodes)).toHaveLength(1);
    expect(only?.version).toBe('2.19.6');
    expect(only?.modules.map((m) => m.name).sort()).toEqual(['analysis-common', 'lang-painless', 'transport-netty4']);
    expect(only?.plugins).toEqual([]);
  });

  it('indexes through the bulk API, finds the documents by search and runs a painless script', async () => {
    if (!node) throw new Error('OpenSearch not started');
    const lines = ['a', 'b', 'c'].flatMap((id) => [JSON.stringify({ index: { _index: index, _id: id } }), JSON.stringify({ msg: `hello ${id}` })]);
    const res = await fetch(`${node.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n` });
    expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
    expect(await countDocuments(node.url, index)).toBe(3);
    const hits = await openSearchJson<{ hits: { hits: { _id: string }[] } }>(node.url, 'POST', `/${index}/_search`, { query: { match: { msg: 'b' } } });
    expect(hits.hits.hits.map((h) => h._id)).toEqual(['b']);
    const script = await openSearchJson<{ result: string }>(node.url, 'POST', '/_scripts/painless/_execute', { script: { source: 'params.x * 2', params: { x: 21 } } });
    expect(script.result).toBe('42');
  });
});
