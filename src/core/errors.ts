/** The connection is gone or was never made: the actor reconnects with backoff. */
export class NotConnected extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotConnected';
  }
}

/** A source has nothing more to read, ever: the actor drains and stops normally. */
export class EndOfInput extends Error {
  constructor(message = 'end of input') {
    super(message);
    this.name = 'EndOfInput';
  }
}

/** Best-effort message of anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
