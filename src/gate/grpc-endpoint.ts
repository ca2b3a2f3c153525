import type * as grpc from '@grpc/grpc-js';
import { decodeRecords, loadGrpc, MalformedBatchError, transportGrpc, type AckMessage, type BatchMessage, type HealthReplyMessage } from './protocol.js';
import { Refusal, type Intake, type RefusalKind } from './intake.js';

function statusOf(kind: RefusalKind): grpc.status {
  const { status } = loadGrpc();
  switch (kind) {
    case 'not-found':
      return status.NOT_FOUND;
    case 'unauthenticated':
      return status.UNAUTHENTICATED;
    case 'invalid-argument':
      return status.INVALID_ARGUMENT;
    case 'exhausted':
      return status.RESOURCE_EXHAUSTED;
    case 'unavailable':
      return status.UNAVAILABLE;
  }
}

/** The gRPC answer to a failed batch: its status, and `retry-after-ms` in the trailers for pushback. */
function grpcError(error: unknown): Partial<grpc.StatusObject> {
  if (!(error instanceof Refusal)) return { code: loadGrpc().status.INTERNAL, details: `gateway error: ${(error as Error).message}` };
  const metadata = new (loadGrpc().Metadata)();
  if (error.retryAfterMs !== undefined) metadata.set('retry-after-ms', String(error.retryAfterMs));
  return { code: statusOf(error.kind), details: error.message, metadata };
}

function tokenOf(batch: BatchMessage, call: grpc.ServerUnaryCall<unknown, AckMessage>): string {
  if (batch.token !== '') return batch.token;
  const auth = call.metadata.get('authorization')[0];
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '';
}

export interface EndpointLimits {
  maxBatchRecords: number;
  maxBatchBytes: number;
}

/** Decodes a batch's records within the limits, or refuses it naming what is wrong. */
function recordsOf(batch: BatchMessage, limits: EndpointLimits): ReturnType<typeof decodeRecords> {
  const where = `(stream ${batch.streamId})`;
  if (batch.count > limits.maxBatchRecords)
    throw new Refusal('invalid-argument', `batch says it holds ${batch.count} records, more than maxBatchRecords ${limits.maxBatchRecords} ${where}`);
  if (batch.records.byteLength > limits.maxBatchBytes)
    throw new Refusal('invalid-argument', `batch records field is ${batch.records.byteLength} bytes, more than maxBatchBytes ${limits.maxBatchBytes} ${where}`);
  try {
    return decodeRecords(batch.records, batch.compression, batch.count, limits.maxBatchBytes);
  } catch (error) {
    if (error instanceof MalformedBatchError) throw new Refusal('invalid-argument', `${error.message} ${where}`);
    throw error;
  }
}

/** Stands for a request whose bytes are not a Batch message (grpc-js would answer INTERNAL). */
interface Undecodable {
  undecodable: string;
}

/** The Transport service with a Send that hands undecodable requests to the handler instead of failing them. */
function tolerantService(): grpc.ServiceDefinition {
  const transport = transportGrpc().service;
  const send = transport.Send as grpc.MethodDefinition<BatchMessage, AckMessage>;
  return {
    ...transport,
    Send: {
      ...send,
      requestDeserialize(bytes: Buffer): BatchMessage | Undecodable {
        try {
          return send.requestDeserialize(bytes);
        } catch (error) {
          return { undecodable: (error as Error).message };
        }
      },
    } as grpc.MethodDefinition<BatchMessage | Undecodable, AckMessage>,
  };
}

function sequenceOf(batch: BatchMessage): bigint {
  return BigInt(batch.sequence === '' ? '0' : batch.sequence);
}

/** A gRPC server of the Transport service over `intake`, listening on host:port; resolves with the bound port. */
export async function serveGrpc(
  intake: Intake,
  limits: EndpointLimits,
  host: string,
  port: number,
  credentials: grpc.ServerCredentials,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new (loadGrpc().Server)({ 'grpc.max_receive_message_length': limits.maxBatchBytes + 64 * 1024 });
  server.addService(tolerantService(), {
    Send(call: grpc.ServerUnaryCall<BatchMessage | Undecodable, AckMessage>, callback: grpc.sendUnaryData<AckMessage>) {
      if ('undecodable' in call.request) {
        callback(grpcError(intake.counted(new Refusal('invalid-argument', `request is not a Batch message: ${call.request.undecodable}`))), null);
        return;
      }
      const batch = call.request;
      intake
        .submit({ streamId: batch.streamId, token: tokenOf(batch, call), agentId: batch.agentId, sequence: sequenceOf(batch), records: () => recordsOf(batch, limits) })
        .then(
          (ack) => callback(null, ack),
          (error: unknown) => callback(grpcError(error), null),
        );
    },
    Health(_call: grpc.ServerUnaryCall<object, HealthReplyMessage>, callback: grpc.sendUnaryData<HealthReplyMessage>) {
      callback(null, { serving: intake.serving });
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, credentials, (error, p) => (error ? reject(error) : resolve(p))),
  );
  return { server, port: bound };
}
