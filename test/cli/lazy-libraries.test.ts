import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bin, topologyDir } from './process.js';

const probe = fileURLToPath(new URL('./loaded-packages.mjs', import.meta.url));

/** Libraries of kinds a topology may not use: loaded on first use (src/core/lazy-require.ts). */
const KIND_LIBRARIES = ['mysql2', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', '@vlasky/zongji', 'node-zookeeper-client', 'jschardet', 'prom-client'];

/** The npm packages `millrace run` loaded for `yaml`, and its exit code. */
function packagesLoaded(yaml: string): Promise<{ code: number | null; packages: string[]; stderr: string }> {
  const { dir, file } = topologyDir(yaml);
  const child = spawn(process.execPath, ['--import', probe, bin, 'run', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      const line = /loaded packages: (.*)/.exec(stderr);
      resolve({ code, packages: line === null ? [] : (JSON.parse(line[1] as string) as string[]), stderr });
    }),
  );
}

describe('start-up cost', () => {
  it('a run that uses no database, gateway, agent, ZooKeeper or inspector loads none of their libraries', async () => {
    const run = await packagesLoaded('sources:\n  gen: { kind: generator, count: 100 }\nsinks:\n  out: { kind: blackhole, inputs: [gen] }\n');
    expect(run.code, run.stderr).toBe(0);
    // The probe sees what is loaded: the runtime's own libraries are there.
    expect(run.packages).toEqual(expect.arrayContaining(['rxjs', 'xstate']));
    expect(run.packages.filter((p) => KIND_LIBRARIES.includes(p))).toEqual([]);
  }, 60_000);
});
