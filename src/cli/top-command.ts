import { errorMessage } from '../core/errors.js';
import type { ActorsResponse, InfoView } from '../inspect/types.js';
import { ExitCode } from './exit-codes.js';
import { getJson, type InspectorTarget } from '../inspect/client.js';
import { topTable } from './top-table.js';

const enterScreen = '\x1b[?1049h\x1b[?25l';
const leaveScreen = '\x1b[?25h\x1b[?1049l';
const home = '\x1b[H\x1b[2J';

async function snapshot(target: InspectorTarget, color: boolean): Promise<string> {
  const [info, actors] = await Promise.all([getJson<InfoView>(target, 'api/info'), getJson<ActorsResponse>(target, 'api/actors')]);
  return topTable(info.name, actors, color);
}

/**
 * `millrace top`: a live table of every actor of a running topology, redrawn each second from
 * the inspector's API (like `vector top`); quits on q or Ctrl-C. With `once`, prints one table
 * without colors or screen control and exits (for scripts and tests).
 */
export function runTop(target: InspectorTarget, once: boolean): Promise<number> {
  return showLive((color) => snapshot(target, color), `read ${target.url}`, once);
}

/**
 * Shows the table `draw` makes: once (plain, exit code 1 when it fails), or redrawn every second
 * on the alternate screen until q, Ctrl-C or a signal.
 */
export async function showLive(draw: (color: boolean) => Promise<string>, what: string, once: boolean): Promise<number> {
  if (once) {
    try {
      process.stdout.write(await draw(false));
      return ExitCode.ok;
    } catch (error) {
      process.stderr.write(`millrace top: cannot ${what}: ${errorMessage(error)}\n`);
      return ExitCode.runtimeFailure;
    }
  }
  const out = process.stdout;
  const stdin = process.stdin;
  const color = out.isTTY === true;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onKey = (data: Buffer): void => {
    const key = data.toString();
    if (key === 'q' || key === 'Q' || key === '\u0003') stop();
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (color) out.write(enterScreen);
  const redraw = async (): Promise<void> => {
    let text: string;
    try {
      text = await draw(color);
    } catch (error) {
      text = `millrace top: cannot ${what}: ${errorMessage(error)} (retrying)\n`;
    }
    out.write((color ? home : '\n') + text + (color ? '\nq: quit\n' : ''));
  };
  await redraw();
  const timer = setInterval(() => void redraw(), 1000);
  await stopped;
  clearInterval(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (stdin.isTTY) {
    stdin.off('data', onKey);
    stdin.setRawMode(false);
    stdin.pause();
  }
  if (color) out.write(leaveScreen);
  return ExitCode.ok;
}
