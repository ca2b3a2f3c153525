import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { loadGrpc, transportGrpc, type AckMessage, type BatchMessage, type HealthReplyMessage } from './protocol.js';

/** One gateway address with its client and what its last Health call or Send said. */
interface Gateway {
  readonly address: string;
  readonly client: grpc.Client;
  healthy: boolean;
  /** Why it is skipped (the last failure), for status and logs. */
  reason?: string;
}

type Unary<Req, Res> = (req: Req, meta: grpc.Metadata, options: grpc.CallOptions, done: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;

interface TransportCalls {
  send: Unary<BatchMessage, AckMessage>;
  health: Unary<Record<string, never>, HealthReplyMessage>;
}

/** The Send of one batch failed: the gRPC status and, for pushback, how long the gateway asked to wait. */
export class SendFailed extends Error {
  constructor(
    readonly code: grpc.status,
    readonly gateway: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Whether a failed Send must not be retried: the batch itself is wrong, or gRPC refused it as too
 * large (RESOURCE_EXHAUSTED without the `retry-after-ms` of a gateway's pushback).
 */
export function isPermanent(err: SendFailed): boolean {
  const { status } = loadGrpc();
  // These codes say the batch itself is wrong: retrying it anywhere gives the same answer.
  const permanent = err.code === status.INVALID_ARGUMENT || err.code === status.NOT_FOUND || err.code === status.UNAUTHENTICATED || err.code === status.PERMISSION_DENIED;
  return permanent || (err.code === status.RESOURCE_EXHAUSTED && err.retryAfterMs === undefined);
}

/**
 * The gateways an agent may send to, in order of preference, with health-checked failover: each is
 * asked `Health` every interval; one that fails Health or a Send with UNAVAILABLE is skipped until
 * a Health call says it serves again. Batches go to the first healthy gateway.
 */
export class GatewayPool {
  private readonly gateways: Gateway[];
  private timer: NodeJS.Timeout | undefined;
  failovers = 0;

  constructor(
    addresses: readonly string[],
    private readonly health: { intervalMs: number; timeoutMs: number },
    private readonly log: Logger,
  ) {
    const { credentials } = loadGrpc();
    const TransportClient = transportGrpc();
    this.gateways = addresses.map((address) => ({ address, client: new TransportClient(address, credentials.createInsecure()), healthy: true }));
  }

  start(): void {
    this.timer = setInterval(() => void this.checkAll(), this.health.intervalMs);
    this.timer.unref();
    void this.checkAll();
  }

  /** The gateway batches go to now, if any is healthy. */
  get current(): string | undefined {
    return this.gateways.find((g) => g.healthy)?.address;
  }

  /** Each gateway and whether it is used. */
  states(): { address: string; healthy: boolean; reason: string | null }[] {
    return this.gateways.map((g) => ({ address: g.address, healthy: g.healthy, reason: g.reason ?? null }));
  }

  /** Sends to the current gateway; rejects with {@link SendFailed}. */
  send(batch: BatchMessage, timeoutMs: number): Promise<AckMessage> {
    const gateway = this.gateways.find((g) => g.healthy);
    if (gateway === undefined) {
      return Promise.reject(new SendFailed(loadGrpc().status.UNAVAILABLE, 'none', `no healthy gateway (${this.gateways.map((g) => `${g.address}: ${g.reason ?? '?'}`).join('; ')})`));
    }
    const calls = gateway.client as unknown as TransportCalls;
    return new Promise((resolve, reject) => {
      const { Metadata, status } = loadGrpc();
      calls.send(batch, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, ack) => {
        if (err === null && ack !== undefined) {
          resolve(ack);
          return;
        }
        const code = err?.code ?? status.UNKNOWN;
        const message = `gateway ${gateway.address} answered ${status[code]}: ${err?.details ?? 'no reply'}`;
        if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) this.markDown(gateway, message);
        reject(new SendFailed(code, gateway.address, message, retryAfterOf(err?.metadata)));
      });
    });
  }

  close(): void {
    clearInterval(this.timer);
    for (const g of this.gateways) g.client.close();
  }

  private markDown(gateway: Gateway, reason: string): void {
    if (gateway.healthy) {
      gateway.healthy = false;
      this.failovers++;
      this.log.warn({ gateway: gateway.address, next: this.current ?? null }, `${reason}: skipping it until Health says it serves (next: ${this.current ?? 'none healthy'})`);
    }
    gateway.reason = reason;
  }

  private async checkAll(): Promise<void> {
    await Promise.all(this.gateways.map((g) => this.check(g)));
  }

  private check(gateway: Gateway): Promise<void> {
    const calls = gateway.client as unknown as TransportCalls;
    return new Promise((resolve) => {
      calls.health({}, new (loadGrpc().Metadata)(), { deadline: Date.now() + this.health.timeoutMs }, (err, reply) => {
        if (err === null && reply?.serving === true) {
          if (!gateway.healthy) this.log.info({ gateway: gateway.address }, `gateway ${gateway.address} serves again`);
          gateway.healthy = true;
          gateway.reason = undefined;
        } else {
          this.markDown(gateway, `gateway ${gateway.address} Health: ${err ? `${loadGrpc().status[err.code]}: ${err.details}` : 'not serving'}`);
        }
        resolve();
      });
    });
  }
}

function retryAfterOf(meta: grpc.Metadata | undefined): number | undefined {
  const v = meta?.get('retry-after-ms')[0];
  const n = v === undefined ? NaN : Number(v.toString());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
