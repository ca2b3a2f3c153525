import { errorMessage } from '../core/errors.js';
import type { TappedRecord } from '../inspect/tap.js';
import { ExitCode } from './exit-codes.js';
import { readEvents, type InspectorTarget } from '../inspect/client.js';

/**
 * `millrace tap <actor>`: prints records leaving an actor of a running topology as JSON lines,
 * sampled by the inspector (at most `rate` a second) only while this command listens. Stops
 * after `limit` records (0: until Ctrl-C).
 */
export async function runTap(target: InspectorTarget, actor: string, limit: number, rate: number | undefined): Promise<number> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (rate !== undefined) query.set('rate', String(rate));
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  try {
    await readEvents(
      target,
      `api/actors/${encodeURIComponent(actor)}/tap?${query}`,
      (event, data) => {
        if (event !== 'records') return;
        for (const record of JSON.parse(data) as TappedRecord[]) process.stdout.write(JSON.stringify(record) + '\n');
      },
      abort.signal,
    );
    return ExitCode.ok;
  } catch (error) {
    process.stderr.write(`millrace tap: ${errorMessage(error)}\n`);
    return ExitCode.runtimeFailure;
  } finally {
    process.off('SIGINT', stop);
  }
}
