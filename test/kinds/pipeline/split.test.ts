import { describe, expect, it } from 'vitest';
import { splitKind, truncateUtf8 } from '../../../src/kinds/split.js';
import { chunkRecord, runStage } from './helpers.js';

const lines = (out: Awaited<ReturnType<typeof runStage>>): [string | undefined, unknown][] =>
  out.records.map((r) => [r.headers?.line as string | undefined, r.value]);

describe('split', () => {
  it("numbers lines from the chunk's firstLine, handles CRLF and a last line without a line end", async () => {
    const out = await runStage(splitKind, {}, [chunkRecord('a\r\nb\nc\r\nlast', 41)]);
    expect(lines(out)).toEqual([
      ['41', 'a'],
      ['42', 'b'],
      ['43', 'c'],
      ['44', 'last'],
    ]);
    expect(out.records[0]?.headers).toEqual({ file: 'f', chunk: '0', line: '41' });
    expect(out.records[0]?.key).toBe('f');
  });

  it('skips empty lines by default but counts them for numbering; keeps them with skipEmpty false', async () => {
    const text = 'a\n\n\r\nb\n';
    expect(lines(await runStage(splitKind, {}, [chunkRecord(text)]))).toEqual([
      ['1', 'a'],
      ['4', 'b'],
    ]);
    expect(lines(await runStage(splitKind, { skipEmpty: false }, [chunkRecord(text)]))).toEqual([
      ['1', 'a'],
      ['2', ''],
      ['3', ''],
      ['4', 'b'],
    ]);
  });

  it('cuts lines over maxLineBytes at a character boundary, flags and counts them', async () => {
    const long = 'é'.repeat(10); // 20 UTF-8 bytes
    const out = await runStage(splitKind, { maxLineBytes: 7 }, [
      chunkRecord(`ok\n${long}\nabcdefgh\n`),
    ]);
    expect(out.records.map((r) => [r.value, r.headers?.truncated])).toEqual([
      ['ok', undefined],
      ['ééé', 'true'],
      ['abcdefg', 'true'],
    ]);
    expect(out.status).toEqual({ chunks: 1, lines: 3, truncated: 2, skippedEmpty: 0 });
  });

  it('drops the chunk-wide headers firstLine and replaced from its lines', async () => {
    const chunk = {
      ...chunkRecord('a\nb', 3),
      headers: { file: 'f', firstLine: '3', replaced: '2', charset: 'utf-8' },
    };
    const out = await runStage(splitKind, {}, [chunk]);
    expect(out.records.map((r) => r.headers)).toEqual([
      { file: 'f', charset: 'utf-8', line: '3' },
      { file: 'f', charset: 'utf-8', line: '4' },
    ]);
  });

  it('marks the line of a chunk that decompress truncated', async () => {
    const chunk = {
      ...chunkRecord('yyyy', 7),
      headers: { file: 'f', firstLine: '7', truncated: 'true' },
    };
    const out = await runStage(splitKind, {}, [chunk]);
    expect(out.records.map((r) => [r.headers?.line, r.headers?.truncated])).toEqual([
      ['7', 'true'],
    ]);
  });

  it('reads byte chunks as UTF-8 and dead-letters structured values', async () => {
    const out = await runStage(splitKind, {}, [
      { value: Buffer.from('α\nβ\n'), ts: 0 },
      { value: { not: 'text' }, ts: 0 },
    ]);
    expect(lines(out)).toEqual([
      ['1', 'α'],
      ['2', 'β'],
    ]);
    expect(out.dead.map((d) => d.reason)).toEqual(['split expects text, got a structure']);
  });

  it('truncateUtf8 never splits a surrogate pair or a multi-byte character', () => {
    expect(truncateUtf8('a😀b', 3)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    expect(truncateUtf8('中文字', 7)).toBe('中文');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});
