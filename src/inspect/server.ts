import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../core/errors.js';
import { handleApi, sendJson } from './api.js';
import { bindRefusal, hasToken, isLoopback, loopbackHostAllowed, type BindAddress } from './security.js';
import type { InspectSource } from './source.js';
import { loadStaticFiles } from './static-files.js';

/** Where and how the inspector serves. */
export interface InspectServerOptions extends BindAddress {
  /** Bearer token every data route requires; mandatory unless `host` is loopback. */
  token?: string;
}

/** A running inspector server. */
export interface InspectServer {
  /** The base URL, e.g. `http://127.0.0.1:9464/`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends every open connection, event streams included. */
  close(): Promise<void>;
}

const pageSecurity = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Thrown when the inspector would be reachable from other machines without a token. */
export class InspectBindRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InspectBindRefused';
  }
}

/**
 * Serves an {@link InspectSource}: the web inspector at `/` and its files, the JSON API under
 * `/api/`, Server-Sent Events at `/api/events` and `/api/actors/:id/tap`, Prometheus at `/metrics`
 * and `/health` (200, or 503 once the run failed). Read-only: any method but GET gets 405.
 * A token, when set, is required on everything but the page's static files; on a loopback bind,
 * requests must also name a loopback Host (against DNS rebinding). Refuses to start on a
 * non-loopback address without a token ({@link InspectBindRefused}).
 *
 * @example
 * const server = await startInspectServer(inspector, { host: '127.0.0.1', port: 0 });
 * console.error(`inspector: ${server.url}`);
 */
export async function startInspectServer(source: InspectSource, options: InspectServerOptions): Promise<InspectServer> {
  const refusal = bindRefusal(options.host, options.token);
  if (refusal !== undefined) throw new InspectBindRefused(refusal);
  const files = loadStaticFiles();
  const loopback = isLoopback(options.host);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('x-content-type-options', 'nosniff');
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return sendJson(res, 405, { error: `the inspector is read-only: ${req.method} is not allowed` });
    }
    if (loopback && !loopbackHostAllowed(req.headers.host)) return sendJson(res, 403, { error: 'Host header must name a loopback address' });
    const url = new URL(req.url ?? '/', 'http://inspector');
    const file = files.get(url.pathname);
    if (file !== undefined) {
      res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-cache', ...pageSecurity });
      return void res.end(file.body);
    }
    if (options.token !== undefined && !hasToken(req, url, options.token)) {
      res.setHeader('www-authenticate', 'Bearer realm="millrace inspector"');
      return sendJson(res, 401, { error: 'a bearer token is required (Authorization: Bearer <token>, or ?token=)' });
    }
    if (!(await handleApi(source, res, url))) sendJson(res, 404, { error: `no route ${url.pathname}` });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: errorMessage(error) });
      else res.end();
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
