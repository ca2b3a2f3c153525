import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KAFKA_SH } from '../infra/kafka/broker.js';

const LOG4J = fileURLToPath(new URL('../infra/kafka/log4j-tools.properties', import.meta.url));

/**
 * Runs one of Kafka's own command-line tools (Java, from the jars test/infra/kafka fetched) and
 * resolves with its stdout; `stdin` is written to it and closed.
 */
export function runJavaTool(mainClass: string, args: readonly string[], stdin = '', timeoutMs = 120_000): Promise<string> {
  const classpath = execFileSync(KAFKA_SH, ['classpath'], { encoding: 'utf8' }).trim();
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xmx256m', `-Dlog4j.configuration=file:${LOG4J}`, '-cp', classpath, mainClass, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${mainClass} exited with ${code ?? signal}: ${err.slice(-2000)}`));
    });
    child.stdin.end(stdin);
  });
}
