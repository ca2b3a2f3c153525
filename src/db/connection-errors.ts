import { NotConnected, errorMessage } from '../core/errors.js';

/** Error codes (Node socket codes and mysql2/MariaDB codes) that mean the server is out of reach. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_GONE_ERROR',
  'ER_SERVER_LOST',
]);

/**
 * Whether a mysql2 error means the connection is gone or cannot be made (reconnect later), as
 * opposed to an error in the statement or the data (retrying the same batch will not help).
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, fatal } = error as { code?: unknown; fatal?: unknown };
  if (typeof code === 'string' && connectionCodes.has(code)) return true;
  // mysql2 marks errors that killed the connection as fatal; the pool drops that connection.
  return fatal === true;
}

/** Runs `work`, turning connection errors into {@link NotConnected} so the sink reconnects with backoff. */
export async function classifyConnectionErrors<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isConnectionError(error)) throw new NotConnected(`${what}: ${errorMessage(error)}`, { cause: error });
    throw error;
  }
}
