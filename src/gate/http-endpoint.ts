import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { TransportRecord } from './protocol.js';
import type { EndpointLimits } from './grpc-endpoint.js';
import { Refusal, type Intake, type RefusalKind } from './intake.js';

const httpStatusOf: Record<RefusalKind, number> = {
  'not-found': 404,
  unauthenticated: 401,
  'invalid-argument': 400,
  exhausted: 429,
  unavailable: 503,
};

const jsonRecord = z.strictObject({
  value: z.union([z.string(), z.record(z.string(), z.json())]).describe('The record: text, or a JSON object (sent as its JSON text).'),
  key: z.string().optional(),
  timestampMs: z.number().int().nonnegative().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** The body of POST /v1/streams/<id>/records. */
const jsonBatch = z.strictObject({ records: z.array(jsonRecord) });

const PATH = /^\/v1\/streams\/([^/]+)\/records$/;

function toTransport(r: z.output<typeof jsonRecord>): TransportRecord {
  const out: TransportRecord = { value: Buffer.from(typeof r.value === 'string' ? r.value : JSON.stringify(r.value)) };
  if (r.key !== undefined) out.key = Buffer.from(r.key);
  if (r.timestampMs !== undefined && r.timestampMs > 0) out.timestampMs = r.timestampMs;
  if (r.headers !== undefined) out.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return out;
}

/** Reads the body, refusing one above `max` bytes without keeping it. */
async function bodyOf(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseBody(body: Buffer, streamId: string): z.output<typeof jsonBatch> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new Refusal('invalid-argument', `body is not JSON: ${(error as Error).message} (stream ${streamId})`);
  }
  const parsed = jsonBatch.safeParse(json);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new Refusal('invalid-argument', `${what} (stream ${streamId})`);
  }
  return parsed.data;
}

function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function handle(intake: Intake, limits: EndpointLimits, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = PATH.exec(req.url ?? '');
  if (req.method !== 'POST' || match === null) {
    answer(res, 404, { error: 'not found: POST /v1/streams/<id>/records' });
    return;
  }
  const streamId = decodeURIComponent(match[1] as string);
  const auth = req.headers.authorization ?? '';
  // JSON spends more bytes than the records it carries: allow twice the batch limit.
  const body = await bodyOf(req, 2 * limits.maxBatchBytes);
  try {
    const ack = await intake.submit({
      streamId,
      token: auth.startsWith('Bearer ') ? auth.slice(7) : '',
      ...retryHeaders(req, streamId),
      records: () => {
        if (body === undefined) throw new Refusal('invalid-argument', `body is larger than ${2 * limits.maxBatchBytes} bytes (stream ${streamId})`);
        return parseBody(body, streamId).records.map(toTransport);
      },
    });
    answer(res, 200, ack);
  } catch (error) {
    if (!(error instanceof Refusal)) {
      answer(res, 500, { error: `gateway error: ${(error as Error).message}` });
      return;
    }
    const headers: Record<string, string> = {};
    if (error.retryAfterMs !== undefined) {
      headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
      headers['retry-after-ms'] = String(error.retryAfterMs);
    }
    answer(res, httpStatusOf[error.kind], { error: error.message }, headers);
  }
}

/** `x-agent-id` and `x-sequence`: a client that sends them has its retries recognised as such. */
function retryHeaders(req: IncomingMessage, streamId: string): { agentId: string; sequence: bigint } {
  const agent = req.headers['x-agent-id'];
  const sequence = req.headers['x-sequence'];
  if (typeof agent !== 'string' || agent === '') return { agentId: '', sequence: 0n };
  if (typeof sequence !== 'string' || !/^\d{1,20}$/.test(sequence))
    throw new Refusal('invalid-argument', `x-sequence: a decimal batch number is required with x-agent-id (stream ${streamId})`);
  return { agentId: agent, sequence: BigInt(sequence) };
}

/** The HTTP/JSON endpoint over `intake` (HTTPS with `tls`); resolves with the bound port. */
export async function serveHttp(
  intake: Intake,
  limits: EndpointLimits,
  host: string,
  port: number,
  tls: { cert: Buffer; key: Buffer } | undefined,
): Promise<{ server: Server; port: number }> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => void handle(intake, limits, req, res);
  const server: Server = tls === undefined ? createHttpServer(handler) : createHttpsServer(tls, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
