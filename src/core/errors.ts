// A kind in a user's package may load its own copy of millrace (the compiled package while the
// CLI runs from a checkout's sources, or a second install): its NotConnected and EndOfInput are
// other classes (InvalidConfig too). `instanceof` therefore goes by a registered symbol, the same in every copy.
const notConnected: unique symbol = Symbol.for('millrace.NotConnected');
const endOfInput: unique symbol = Symbol.for('millrace.EndOfInput');
const invalidConfig: unique symbol = Symbol.for('millrace.InvalidConfig');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && brand in value;
}

/** The connection is gone or was never made: the actor reconnects with backoff. */
export class NotConnected extends Error {
  readonly [notConnected] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, notConnected);
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotConnected';
  }
}

/** A source has nothing more to read, ever: the actor drains and stops normally. */
export class EndOfInput extends Error {
  readonly [endOfInput] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, endOfInput);
  }

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

/**
 * A setting that can never work as given (a module that cannot load, a missing file): restarting
 * cannot help, so supervision does not retry it and the run stops at once with exit code 2.
 */
export class InvalidConfig extends Error {
  readonly [invalidConfig] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, invalidConfig);
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidConfig';
  }
}

/** `error` and its causes, outermost first (a cycle of causes is cut). */
export function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && !chain.includes(e); e = e instanceof Error ? e.cause : undefined) chain.push(e);
  return chain;
}

/** Whether `error` is, or was caused by, an {@link InvalidConfig}. */
export function isInvalidConfig(error: unknown): boolean {
  return causes(error).some((e) => e instanceof InvalidConfig);
}
