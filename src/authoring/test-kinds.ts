import { z } from 'zod';
import { EndOfInput } from '../core/errors.js';
import { defineSink, defineSource, type KindDefinition } from '../actors/kind.js';
import type { DeadLetterEntry } from '../actors/pump/dead-letters.js';
import type { LogRecord } from '../streams/record.js';

const noSettings = z.strictObject({});

/** What the stand-in sinks of one test run saw. */
export interface Collected {
  /** The consumers (sink ids) each record object reached, for routing checks. */
  delivered: WeakMap<LogRecord, string[]>;
  /** Every dead-letter entry, in arrival order. */
  deadLetters: DeadLetterEntry[];
}

/** An empty {@link Collected}. */
export function collected(): Collected {
  return { delivered: new WeakMap(), deadLetters: [] };
}

/**
 * The stand-in for everything upstream of a test's target: emits the test's records as one batch,
 * then ends. Its position is only labelled `test input`: nothing is committed anywhere.
 */
export function testInputKind(records: readonly LogRecord[]): KindDefinition {
  return defineSource({
    name: 'test-input',
    description: 'Emits the records of a config unit test, then ends.',
    config: noSettings,
    create() {
      let sent = false;
      return {
        async connect() {},
        async read() {
          if (sent || records.length === 0) throw new EndOfInput();
          sent = true;
          return { records: [...records], position: records.length, label: 'test input' };
        },
        commit() {},
        async close() {},
      };
    },
  });
}

/**
 * The stand-in for each consumer of the sub-graph: acknowledges every batch and remembers which
 * consumer each record reached (the sink's id is the replaced consumer's id).
 */
export function testOutputKind(into: Collected): KindDefinition {
  return defineSink({
    name: 'test-output',
    description: 'Collects the records leaving a config unit test target.',
    config: noSettings,
    create(_config, ctx) {
      return {
        async connect() {},
        async write(batch) {
          for (const record of batch.records) {
            const reached = into.delivered.get(record) ?? [];
            if (!reached.includes(ctx.id)) reached.push(ctx.id);
            into.delivered.set(record, reached);
          }
        },
        async close() {},
      };
    },
  });
}

/** The dead-letter sink of a test run: keeps the entries in memory instead of writing a file. */
export function testDeadLetterKind(into: Collected): KindDefinition {
  return defineSink({
    name: 'test-deadletter',
    description: 'Collects the dead letters of a config unit test.',
    config: noSettings,
    inputs: 'none',
    create() {
      return {
        async connect() {},
        async write(batch) {
          for (const record of batch.records) into.deadLetters.push(record.value as unknown as DeadLetterEntry);
        },
        async close() {},
      };
    },
  });
}
