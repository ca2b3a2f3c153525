import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegisteredStream } from '../db/stream-definition.js';
import { StreamRegistryError, type StreamRegistry } from '../db/stream-registry.js';
import { hasToken, loopbackHostAllowed, isLoopback, type BindAddress } from '../inspect/security.js';

/** Largest request body taken (a stream definition is a few KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const shown = ({ tokenSha256: _, ...stream }: RegisteredStream): Omit<RegisteredStream, 'tokenSha256'> => stream;

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`, { fields: [{ field: 'stream', message: 'not JSON' }] });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'the body must be a JSON object of stream settings', { fields: [{ field: 'stream', message: 'expected an object' }] });
  return body as Record<string, unknown>;
}

async function route(registry: StreamRegistry, req: IncomingMessage, path: string): Promise<[number, unknown?]> {
  if (path === '/v1/streams') {
    if (req.method !== 'GET') throw new HttpError(405, `${req.method ?? ''} /v1/streams: use GET (PUT /v1/streams/<id> adds one)`);
    return [200, (await registry.list()).map(shown)];
  }
  const m = /^\/v1\/streams\/([^/]+)$/.exec(path);
  if (m === null) throw new HttpError(404, `no such resource ${path}: use /v1/streams or /v1/streams/<id>`);
  const id = decodeURIComponent(m[1] as string);
  switch (req.method) {
    case 'GET': {
      const found = await registry.get(id);
      if (found === undefined) throw new HttpError(404, `no stream ${id}`);
      return [200, shown(found)];
    }
    case 'PUT': {
      const { token, ...body } = await jsonBody(req);
      if (token !== undefined && typeof token !== 'string') throw new HttpError(400, 'token: expected a string', { fields: [{ field: 'token', message: 'expected a string' }] });
      if (body.id !== undefined && body.id !== id) throw new HttpError(400, `id: ${String(body.id)} differs from the path's ${id}`, { fields: [{ field: 'id', message: "differs from the path's id" }] });
      if ((await registry.get(id)) !== undefined) return [200, shown(await registry.update(id, body))];
      const added = await registry.add({ ...body, id }, token);
      // The token is shown this once; the registry keeps only its hash.
      return [201, { ...shown(added.stream), token: added.token }];
    }
    case 'PATCH':
      if ((await registry.get(id)) === undefined) throw new HttpError(404, `no stream ${id}: add it with PUT`);
      return [200, shown(await registry.update(id, await jsonBody(req)))];
    case 'DELETE':
      if (!(await registry.remove(id))) throw new HttpError(404, `no stream ${id}`);
      return [204];
    default:
      throw new HttpError(405, `${req.method ?? ''} /v1/streams/${id}: use GET, PUT, PATCH or DELETE`);
  }
}

/**
 * The registry's HTTP API: GET /v1/streams, GET|PUT|PATCH|DELETE /v1/streams/<id>, every request
 * with `Authorization: Bearer <token>`. Invalid settings answer 400 with `fields`: [{field, message}].
 */
export async function serveRegistry(registry: StreamRegistry, at: BindAddress, token: string): Promise<Server> {
  const loopback = isLoopback(at.host);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (loopback && !loopbackHostAllowed(req.headers.host)) {
      send(res, 403, { error: 'Host header is not a loopback name' });
      return;
    }
    if (!hasToken(req, url, token)) {
      res.setHeader('www-authenticate', 'Bearer');
      send(res, 401, { error: 'missing or wrong token: send Authorization: Bearer <token> (the serve command\'s --token-file)' });
      return;
    }
    route(registry, req, url.pathname).then(
      ([status, body]) => send(res, status, body),
      (error: unknown) => {
        if (error instanceof HttpError) send(res, error.status, { error: error.message, ...error.body });
        else if (error instanceof StreamRegistryError) {
          const missing = /^no stream /.test(error.message);
          send(res, missing ? 404 : error.fields.length > 0 ? 400 : 409, { error: error.message, fields: error.fields });
        } else send(res, 500, { error: `registry failed: ${(error as Error).message}` });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  return server;
}

export function serverUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
