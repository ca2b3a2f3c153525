import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka, type KafkaTransport } from './kafka-client.js';

/**
 * A kafkajs admin client that connects on first use; a failed connect is forgotten, so the next
 * use tries again (a client that runs every interval outlives a cluster outage).
 */
export class LazyAdmin {
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  constructor(transport: KafkaTransport, log: Logger) {
    this.admin = createKafka(transport, log).admin();
  }

  async get(): Promise<Admin> {
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    return this.admin;
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.admin.disconnect().catch(() => undefined);
  }
}
