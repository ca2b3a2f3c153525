import { pino, type Logger } from 'pino';

/** Structured JSON logs on stderr, so a `stdout` sink's output stays clean. */
export function createLogger(level: string = process.env.MILLRACE_LOG ?? 'info'): Logger {
  return pino({ level, base: { app: 'millrace' } }, pino.destination({ fd: 2, sync: false }));
}
