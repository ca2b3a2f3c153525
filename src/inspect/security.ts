import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Where the inspector listens. */
export interface BindAddress {
  host: string;
  port: number;
}

/** The inspector's default address: loopback only. */
export const defaultInspectAddress: BindAddress = { host: '127.0.0.1', port: 9464 };

/**
 * Parses `host:port`, `:port`, `port` or `[v6]:port`; the host defaults to 127.0.0.1.
 *
 * @example
 * parseBindAddress('0.0.0.0:9000'); // { host: '0.0.0.0', port: 9000 }
 * parseBindAddress('9000'); // { host: '127.0.0.1', port: 9000 }
 */
export function parseBindAddress(text: string): BindAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new Error(`invalid inspector address "${text}": expected host:port, :port or port`);
  }
  const host = m[1] || m[2] || defaultInspectAddress.host;
  return { host, port };
}

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/**
 * Why the inspector must not start on `host` with `token`, or undefined when it may: any address
 * other than loopback needs a bearer token.
 */
export function bindRefusal(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host) || (token !== undefined && token.length > 0)) return undefined;
  return `refusing to serve the inspector on ${host} without a token: it is reachable from other machines. Pass --inspect-token <token> or set MILLRACE_INSPECT_TOKEN, or bind to 127.0.0.1`;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Whether a request carries the token: `Authorization: Bearer <token>`, or `?token=` for what a
 * browser cannot send headers with (EventSource, the page's first load). Compared in constant time.
 */
export function hasToken(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : url.searchParams.get('token');
  return given !== null && timingSafeEqual(digest(given), digest(token));
}

/**
 * Whether a request's Host header fits a loopback bind: a page on another site that rebinds its
 * DNS name to 127.0.0.1 sends its own name as Host and is turned away.
 */
export function loopbackHostAllowed(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : (hostHeader.split(':')[0] ?? '');
  return isLoopback(name);
}
