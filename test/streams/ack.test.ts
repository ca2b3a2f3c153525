import { describe, expect, it } from 'vitest';
import { Ack, type AckOutcome } from '../../src/streams/ack.js';

describe('Ack', () => {
  it('settles a forked ack only when every branch has, with the worst outcome', () => {
    const outcomes: AckOutcome[] = [];
    const [a, b, c] = Ack.root((o) => outcomes.push(o)).fork(3) as [Ack, Ack, Ack];
    a.done();
    b.fail('db rejected');
    expect(outcomes).toEqual([]);
    c.done();
    expect(outcomes).toEqual([{ ok: false, reason: 'db rejected' }]);
  });

  it('ignores a second settlement, so a duplicate never flips an outcome', () => {
    const outcomes: AckOutcome[] = [];
    const ack = Ack.root((o) => outcomes.push(o));
    ack.done();
    ack.fail('late');
    expect(outcomes).toEqual([{ ok: true }]);
  });

  it('settles every combined ack when the combination settles', () => {
    const seen: string[] = [];
    const parts = ['x', 'y'].map((name) => Ack.root((o) => seen.push(`${name}:${o.ok}`)));
    Ack.all(parts).done();
    expect(seen).toEqual(['x:true', 'y:true']);
  });
});
