import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const ACK = 0x06;

/**
 * An application writing `lines` to the socket source with `ack: true`, as the README asks of
 * one: it writes a line every `pauseMs`, counts the answers, and after the connection ends it
 * connects again and writes every line not answered yet. Runs in the background until every
 * line is answered or no source has listened for `giveUpMs`.
 */
export function resendingClient(path: string, lines: readonly string[], pauseMs = 10, giveUpMs = 10_000): void {
  let answered = 0;
  const once = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect(path);
      let stop = false;
      socket.on('connect', () => {
        void (async () => {
          for (let i = answered; i < lines.length && !stop; i++) {
            socket.write(`${lines[i] as string}\n`);
            await sleep(pauseMs);
          }
        })();
      });
      socket.on('data', (b: Buffer) => {
        for (const byte of b) if (byte === ACK) answered++;
        if (answered === lines.length) socket.end();
      });
      socket.on('error', () => undefined);
      socket.on('close', (hadError) => {
        stop = true;
        resolve(!hadError);
      });
    });
  void (async () => {
    let lastUp = Date.now();
    while (answered < lines.length && Date.now() - lastUp < giveUpMs) {
      if (await once()) lastUp = Date.now();
      else await sleep(20);
    }
  })();
}
