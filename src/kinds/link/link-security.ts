import { readFileSync } from 'node:fs';
import path from 'node:path';
import type tls from 'node:tls';
import { z } from 'zod';
import { InvalidConfig } from '../../core/errors.js';

export const linkSecret = z
  .string()
  .min(16, 'a shared secret of at least 16 characters')
  .optional()
  .describe('Shared secret of the link (write `${LINK_SECRET}` to take it from the environment). Both ends prove they hold it at every connection (HMAC over fresh nonces), so neither sends to nor accepts from a peer that does not; set it on both ends or neither.');

export const senderTls = z
  .strictObject({
    ca: z.string().optional().describe('PEM file of the CA that signed the receiver certificate (default: the system CAs).'),
    cert: z.string().optional().describe('PEM file of this sender certificate, for a receiver that asks for one.'),
    key: z.string().optional().describe('PEM file of the key of `cert`.'),
    servername: z.string().optional().describe('Name the receiver certificate must carry (default: host).'),
  })
  .optional()
  .describe('Connect to the receiver over TLS (the certificate is always verified). Paths are relative to the topology file.');

export const receiverTls = z
  .strictObject({
    cert: z.string().describe('PEM file of this receiver certificate.'),
    key: z.string().describe('PEM file of the key of `cert`.'),
    ca: z.string().optional().describe('PEM file of the CA senders certificates must be signed by; when set, a sender without such a certificate is refused.'),
  })
  .optional()
  .describe('Serve the link over TLS. Paths are relative to the topology file.');

function pem(baseDir: string, file: string, what: string): Buffer {
  const at = path.resolve(baseDir, file);
  try {
    return readFileSync(at);
  } catch (err) {
    throw new InvalidConfig(`link tls: cannot read the ${what} ${at}: ${(err as Error).message}`, { cause: err });
  }
}

/** The sender side TLS options the config names, with its files read. */
export function senderTlsOptions(config: z.output<typeof senderTls>, baseDir: string): tls.ConnectionOptions | undefined {
  if (config === undefined) return undefined;
  return {
    ...(config.ca === undefined ? {} : { ca: pem(baseDir, config.ca, 'CA file') }),
    ...(config.cert === undefined ? {} : { cert: pem(baseDir, config.cert, 'certificate') }),
    ...(config.key === undefined ? {} : { key: pem(baseDir, config.key, 'key') }),
    ...(config.servername === undefined ? {} : { servername: config.servername }),
    rejectUnauthorized: true,
  };
}

/** The receiver side TLS options the config names, with its files read. */
export function receiverTlsOptions(config: z.output<typeof receiverTls>, baseDir: string): tls.TlsOptions | undefined {
  if (config === undefined) return undefined;
  return {
    cert: pem(baseDir, config.cert, 'certificate'),
    key: pem(baseDir, config.key, 'key'),
    ...(config.ca === undefined ? {} : { ca: pem(baseDir, config.ca, 'CA file'), requestCert: true, rejectUnauthorized: true }),
  };
}
