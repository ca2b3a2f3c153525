/**
 * The link's shared secret and TLS over a real connection on 127.0.0.1: with the same secret on
 * both ends every record arrives; a sender with another secret or none is refused before anything
 * is written, and a sender with a secret never sends to a receiver that cannot prove it. TLS uses
 * certificates openssl makes for the test: a sender that does not trust the receiver certificate
 * sends nothing, and a receiver that asks for client certificates refuses a sender without one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { encodeFrame, FrameReader, type Frame } from '../../src/link/frame.js';
import { proof } from '../../src/link/handshake-proof.js';
import { eventually } from '../kit/eventually.js';
import { expectExactly, fill, queueIn, startReceiver, startSender } from './fixtures/queues.js';

const SECRET = 'correct horse battery staple';

/** A CA, a receiver certificate for 127.0.0.1/localhost and a sender certificate, signed by it (PEM files). */
function certificates(): { dir: string; ca: Buffer; receiver: { cert: Buffer; key: Buffer }; sender: { cert: Buffer; key: Buffer } } {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-link-tls-'));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=millrace test CA');
  for (const name of ['receiver', 'sender']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2');
  }
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.pem')),
    receiver: { cert: readFileSync(join(dir, 'receiver.pem')), key: readFileSync(join(dir, 'receiver.key')) },
    sender: { cert: readFileSync(join(dir, 'sender.pem')), key: readFileSync(join(dir, 'sender.key')) },
  };
}

describe('link shared secret', () => {
  it('with the same secret on both ends, ships every record once, in order', async () => {
    const a = await queueIn('millrace-sec-a-');
    const b = await queueIn('millrace-sec-b-');
    const { receiver, port } = await startReceiver(b.queue, 0, { secret: SECRET });
    await fill(a.queue, 1, 500);
    const sender = startSender(a.queue, port, { secret: SECRET });
    await eventually(() => sender.stats.seqAcked === 500, { what: 'all 500 acked' });
    await sender.stop();
    await receiver.close();
    expect(receiver.stats.authFailures).toBe(0);
    await expectExactly(b.queue, 500);
  });

  it.each([
    ['another secret', { secret: 'not the secret, but long enough' }, /failed to prove the shared secret/],
    ['no secret', {}, /requires a shared secret/],
  ])('refuses a sender with %s before anything is written, and says why on both ends', async (_name, over, senderError) => {
    const a = await queueIn('millrace-sec-a-');
    const b = await queueIn('millrace-sec-b-');
    const { receiver, port, lines } = await startReceiver(b.queue, 0, { secret: SECRET });
    await fill(a.queue, 1, 100);
    const sender = startSender(a.queue, port, over);
    await eventually(() => sender.stats.reconnects >= 2, { what: 'the sender to retry' });
    await sender.stop();
    await receiver.close();
    expect(sender.stats.lastError).toMatch(senderError);
    expect(sender.stats.seqAcked).toBe(0);
    expect(b.queue.head, 'nothing written').toBe(0);
    expect(lines.join(''), 'the receiver logged the abandoned handshake').toContain('left during the shared-secret handshake');
  });

  it('refuses a peer that answers the challenge with a wrong proof, counting it, and welcomes nobody', async () => {
    const b = await queueIn('millrace-sec-b-');
    const { receiver, port, lines } = await startReceiver(b.queue, 0, { secret: SECRET });
    const socket = net.connect({ host: '127.0.0.1', port });
    const reader = new FrameReader();
    const got: Frame[] = [];
    socket.on('data', (c: Buffer) => got.push(...reader.push(c)));
    socket.write(encodeFrame({ type: 'hello', link: 'l1', nonce: Buffer.alloc(16, 3) }));
    await eventually(() => got.length > 0, { what: 'the challenge' });
    expect(got[0]?.type).toBe('challenge');
    socket.write(encodeFrame({ type: 'auth', proof: Buffer.alloc(32, 9) }));
    await eventually(() => got.length > 1, { what: 'the refusal' });
    socket.destroy();
    await receiver.close();
    expect(got[1]).toEqual({ type: 'refuse', reason: 'link protocol: the sender failed to prove the shared secret' });
    expect(receiver.stats.authFailures).toBe(1);
    expect(receiver.stats.connections, 'never welcomed').toBe(0);
    expect(lines.join('')).toContain('the sender failed to prove the shared secret');
  });

  it('never sends to a receiver that does not prove the secret', async () => {
    const a = await queueIn('millrace-sec-a-');
    const b = await queueIn('millrace-sec-b-');
    const { receiver, port } = await startReceiver(b.queue);
    await fill(a.queue, 1, 100);
    const sender = startSender(a.queue, port, { secret: SECRET });
    await eventually(() => sender.stats.reconnects >= 2, { what: 'the sender to retry' });
    await sender.stop();
    await receiver.close();
    expect(sender.stats.lastError).toMatch(/did not ask for the shared secret/);
    expect(sender.stats.framesSent).toBe(0);
    expect(b.queue.head).toBe(0);
  });

  it('binds a proof to its connection: the same secret over other nonces or the other direction gives another proof', () => {
    const n1 = Buffer.alloc(16, 1);
    const n2 = Buffer.alloc(16, 2);
    const p = proof(SECRET, 'sender', 'l1', n1, n2);
    expect(proof(SECRET, 'sender', 'l1', n1, n2)).toEqual(p);
    expect(proof(SECRET, 'sender', 'l1', n2, n1)).not.toEqual(p);
    expect(proof(SECRET, 'receiver', 'l1', n1, n2)).not.toEqual(p);
    expect(proof(SECRET, 'sender', 'l2', n1, n2)).not.toEqual(p);
  });
});

describe('link over TLS', () => {
  const certs = certificates();

  it('ships every record over TLS when the sender trusts the receiver certificate, with client certificates and the secret', async () => {
    const a = await queueIn('millrace-tls-a-');
    const b = await queueIn('millrace-tls-b-');
    const { receiver, port } = await startReceiver(b.queue, 0, {
      secret: SECRET,
      tls: { ...certs.receiver, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
    });
    await fill(a.queue, 1, 500);
    const sender = startSender(a.queue, port, { secret: SECRET, tls: { ca: certs.ca, ...certs.sender, servername: 'receiver', rejectUnauthorized: true } });
    await eventually(() => sender.stats.seqAcked === 500, { what: 'all 500 acked over TLS' });
    await sender.stop();
    await receiver.close();
    await expectExactly(b.queue, 500);
  });

  it('sends nothing to a receiver whose certificate it does not trust', async () => {
    const a = await queueIn('millrace-tls-a-');
    const b = await queueIn('millrace-tls-b-');
    const { receiver, port } = await startReceiver(b.queue, 0, { tls: certs.receiver });
    await fill(a.queue, 1, 100);
    const sender = startSender(a.queue, port, { tls: { servername: 'receiver', rejectUnauthorized: true } });
    await eventually(() => sender.stats.reconnects >= 2, { what: 'the sender to retry' });
    await sender.stop();
    await receiver.close();
    expect(sender.stats.lastError).toMatch(/certificate/);
    expect(b.queue.head).toBe(0);
  });

  it('refuses a sender without a client certificate when the receiver asks for one', async () => {
    const a = await queueIn('millrace-tls-a-');
    const b = await queueIn('millrace-tls-b-');
    const { receiver, port } = await startReceiver(b.queue, 0, { tls: { ...certs.receiver, ca: certs.ca, requestCert: true, rejectUnauthorized: true } });
    await fill(a.queue, 1, 100);
    const sender = startSender(a.queue, port, { tls: { ca: certs.ca, servername: 'receiver', rejectUnauthorized: true } });
    await eventually(() => sender.stats.reconnects >= 2, { what: 'the sender to retry' });
    await sender.stop();
    await receiver.close();
    expect(sender.stats.seqAcked).toBe(0);
    expect(b.queue.head).toBe(0);
    expect(receiver.stats.refused).toBeGreaterThan(0);
  });
});
