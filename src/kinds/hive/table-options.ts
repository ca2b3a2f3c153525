import type { Logger } from 'pino';
import type { WritableStore } from '../../stores/writable.js';
import type { HiveSinkConfig } from './config.js';

/** What a hive table, its partition commits and its compactions work with. */
export interface HiveTableOptions {
  config: HiveSinkConfig;
  store: WritableStore;
  /** The state file (`<stateDir>/hive-sink.json`). */
  stateFile: string;
  log: Logger;
  signal: AbortSignal;
}
