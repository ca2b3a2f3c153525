import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NONCE_BYTES } from './frame.js';

/** A fresh handshake nonce. */
export function nonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/**
 * One side's proof that it holds the link's shared secret: HMAC-SHA256 over who proves, the link
 * and both nonces (its peer's first), so a proof is good for one connection and one direction
 * only: replaying or reflecting it fails.
 */
export function proof(secret: string, prover: 'sender' | 'receiver', link: string, peerNonce: Buffer, ownNonce: Buffer): Buffer {
  return createHmac('sha256', secret).update(`millrace-link\0${prover}\0${link}\0`).update(peerNonce).update(ownNonce).digest();
}

/** Whether `got` is `expected`, in constant time. */
export function proofMatches(expected: Buffer, got: Buffer): boolean {
  return expected.length === got.length && timingSafeEqual(expected, got);
}
