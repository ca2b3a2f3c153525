import { z } from 'zod';
import { engineConfig } from '../../db/config.js';

/** SQL identifier for the table: letters, digits and underscores, so it can be quoted safely. */
const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const databaseSinkConfig = z
  .strictObject({
    engine: engineConfig,
    table: z.string().regex(identifier, 'expected a plain SQL identifier').default('events').describe('Table for the rows; created with its indexes when missing.'),
  })
  .describe(
    'Stores parsed log records as rows (file, line, ts, day, app, event, user, fields) keyed by (file, line). Inserts ignore rows already stored, so redelivered batches never double rows: effectively exactly-once per line on top of at-least-once delivery.',
  );

export type DatabaseSinkConfig = z.output<typeof databaseSinkConfig>;
