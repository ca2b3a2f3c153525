import { afterAll, beforeAll } from 'vitest';
import { ensureKafka, type KafkaHandle } from './broker.js';

/**
 * A real broker for one test suite: started (or joined, when shared) before its tests, stopped
 * after them. Read `brokers` inside a test (it does not exist before `beforeAll` ran).
 */
export function useKafka(name = 'a', port = 19092): { readonly brokers: string[] } {
  let kafka: KafkaHandle | undefined;
  beforeAll(async () => {
    kafka = await ensureKafka(name, port);
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  }, 120_000);
  return {
    get brokers(): string[] {
      if (kafka === undefined) throw new Error(`kafka ${name} is started in beforeAll: read its brokers inside a test`);
      return kafka.brokers;
    },
  };
}
