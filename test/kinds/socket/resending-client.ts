import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const ACK = 0x06;

/** How far a {@link resendingClient} got. */
export interface ClientProgress {
  /** Lines answered so far (ACK), in order. */
  answered(): number;
  /** Connections made (one more after each time the source went away). */
  connections(): number;
  /** Connections that ended with lines written and not answered (the writes refused, not lost silently). */
  cutOff(): number;
  /** Resolves once every line is answered; rejects when it gave up. */
  done: Promise<void>;
}

/**
 * An application writing `lines` to the socket source with `ack: true`, as the README asks of
 * one: it writes a line every `pauseMs`, counts the answers, and after the connection ends it
 * connects again and writes every line not answered yet. Runs in the background until every
 * line is answered or no source has listened for `giveUpMs`.
 */
export function resendingClient(path: string, lines: readonly string[], pauseMs = 10, giveUpMs = 10_000): ClientProgress {
  let answered = 0;
  let connections = 0;
  let cutOff = 0;
  const once = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect(path);
      let stop = false;
      let written = 0;
      socket.on('connect', () => {
        connections++;
        void (async () => {
          for (let i = answered; i < lines.length && !stop; i++) {
            socket.write(`${lines[i] as string}\n`);
            written = i + 1;
            await sleep(pauseMs);
          }
        })();
      });
      socket.on('data', (b: Buffer) => {
        for (const byte of b) if (byte === ACK) answered++;
        if (answered === lines.length) socket.end();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        stop = true;
        if (written > answered) cutOff++;
        resolve(written > 0);
      });
    });
  const done = (async () => {
    let lastUp = Date.now();
    while (answered < lines.length && Date.now() - lastUp < giveUpMs) {
      if (await once()) lastUp = Date.now();
      else await sleep(20);
    }
    if (answered < lines.length) throw new Error(`socket client gave up: ${answered} of ${lines.length} lines answered, no source on ${path} for ${giveUpMs} ms`);
  })();
  done.catch(() => undefined);
  return { answered: () => answered, connections: () => connections, cutOff: () => cutOff, done };
}
