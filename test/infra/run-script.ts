import { execFile } from 'node:child_process';
import path from 'node:path';

/** Runs `bash <script> <args>`; resolves with stdout, rejects with the command and its output. */
export function runScript(script: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: process.env }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${path.basename(script)} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`.trimEnd()));
        return;
      }
      resolve(stdout);
    });
  });
}
