import type { InspectOptions } from '../inspect/attach.js';
import { bindRefusal, defaultInspectAddress, parseBindAddress } from '../inspect/security.js';

const addressLike = /^(?:\[[0-9a-fA-F:.]+\]|[\w.-]*):\d{1,5}$|^\d{1,5}$/;

/**
 * Lets `--inspect` take its address optionally, which `util.parseArgs` cannot: a bare
 * `--inspect` (not followed by something shaped like `host:port`, `:port` or `port`) becomes
 * `--inspect=` (the default address).
 *
 * @example
 * withOptionalInspectValue(['run', 't.yaml', '--inspect']); // ['run', 't.yaml', '--inspect=']
 * withOptionalInspectValue(['run', '--inspect', ':9000', 't.yaml']); // unchanged
 */
export function withOptionalInspectValue(argv: readonly string[]): string[] {
  return argv.map((arg, i) => (arg === '--inspect' && !addressLike.test(argv[i + 1] ?? '') ? '--inspect=' : arg));
}

/** The inspect flags as `parseArgs` returns them. */
export interface InspectFlags {
  inspect?: string;
  'inspect-token'?: string;
  'inspect-record'?: string;
}

/**
 * Reads `--inspect [host:port]`, `--inspect-token` (or `MILLRACE_INSPECT_TOKEN`) and
 * `--inspect-record <file>`: the options, undefined when neither flag is given, or a usage error
 * (a bad address, or a non-loopback address without a token).
 */
export function inspectOptions(flags: InspectFlags, env: NodeJS.ProcessEnv = process.env): InspectOptions | undefined | { error: string } {
  if (flags.inspect === undefined && flags['inspect-record'] === undefined) return undefined;
  const options: InspectOptions = {};
  const token = flags['inspect-token'] ?? env.MILLRACE_INSPECT_TOKEN;
  if (token !== undefined && token !== '') options.token = token;
  if (flags['inspect-record'] !== undefined) options.recordTo = flags['inspect-record'];
  if (flags.inspect !== undefined) {
    try {
      options.address = flags.inspect === '' ? defaultInspectAddress : parseBindAddress(flags.inspect);
    } catch (error) {
      return { error: (error as Error).message };
    }
    const refusal = bindRefusal(options.address.host, options.token);
    if (refusal !== undefined) return { error: refusal };
  }
  return options;
}
