import { defaultInspectAddress } from '../inspect/security.js';
import { ExitCode } from './exit-codes.js';
import { defaultInspectorUrl, type InspectorTarget } from '../inspect/client.js';
import { inspectOptions, type InspectFlags } from './inspect-options.js';
import { runReplay } from './replay-command.js';
import { runTap } from './tap-command.js';
import { runTop } from './top-command.js';

/** The flags `top`, `tap` and `inspect` read. */
export interface InspectCommandFlags extends InspectFlags {
  url?: string;
  once?: boolean;
  limit?: string;
  rate?: string;
  replay?: string;
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n`);
  return ExitCode.invalid;
}

function count(text: string | undefined, flag: string, fallback: number | undefined): number | undefined | Error {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : new Error(`${flag} must be a whole number, got "${text}"`);
}

/**
 * Runs `millrace top`, `millrace tap <actor>` or `millrace inspect --replay <file>`. `top` and
 * `tap` talk to a running inspector at `--url` (default http://127.0.0.1:9464) with the token of
 * `--inspect-token` or `MILLRACE_INSPECT_TOKEN`.
 */
export async function inspectCommand(command: 'top' | 'tap' | 'inspect', arg: string | undefined, flags: InspectCommandFlags): Promise<number> {
  const token = flags['inspect-token'] ?? process.env.MILLRACE_INSPECT_TOKEN;
  const target: InspectorTarget = { url: flags.url ?? defaultInspectorUrl };
  if (token !== undefined && token !== '') target.token = token;
  switch (command) {
    case 'top':
      return runTop(target, flags.once === true);
    case 'tap': {
      if (arg === undefined) return usageError('usage: millrace tap <actor> [--limit N] [--rate R] [--url URL]');
      const limit = count(flags.limit, '--limit', 0);
      const rate = count(flags.rate, '--rate', undefined);
      if (limit instanceof Error) return usageError(limit.message);
      if (rate instanceof Error) return usageError(rate.message);
      return runTap(target, arg, limit ?? 0, rate);
    }
    case 'inspect': {
      if (flags.replay === undefined) return usageError('usage: millrace inspect --replay <recording.jsonl> [--inspect host:port]');
      const options = inspectOptions({ ...flags, inspect: flags.inspect ?? '', 'inspect-record': undefined });
      if (options === undefined || 'error' in options) return usageError(options?.error ?? 'no address');
      return runReplay(flags.replay, options.address ?? defaultInspectAddress, options.token);
    }
  }
}
