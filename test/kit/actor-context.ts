import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ActorContext } from '../../src/actors/io.js';
import { SharedResources, type Share } from '../../src/core/shared-resources.js';
import { FileCheckpoint } from '../../src/runtime/checkpoint.js';
import type { TransportConfig } from '../../src/transport/schema.js';
import { quietLog } from '../runtime/harness.js';

export interface ActorContextOptions {
  id?: string;
  replica?: number;
  replicas?: number;
  /** Ids the actor's output feeds (default `['next']`). */
  consumers?: readonly string[];
  /** The actor's baseDir and stateDir (default: a fresh temporary directory). */
  dir?: string;
  log?: Logger;
  signal?: AbortSignal;
  /** Default: the embedded log under `<dir>/log`. */
  transport?: TransportConfig;
  /** Default: a registry of its own; pass one to share resources between contexts as a runtime's actors do. */
  shared?: Share;
}

/**
 * The context a runtime would give an actor, for calling a kind's `create()` directly: its
 * checkpoint is a real {@link FileCheckpoint} in `dir` (one file per id and replica, so a second
 * context on the same `dir` resumes from it), and the transport is the embedded log.
 *
 * @example
 * const io = await distributeKind.create(distributeKind.config.parse({}), actorContext({ consumers: ['a', 'b'] }));
 */
export function actorContext(options: ActorContextOptions = {}): ActorContext {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'millrace-actor-'));
  const id = options.id ?? 'actor';
  const replica = options.replica ?? 0;
  return {
    id,
    replica,
    replicas: options.replicas ?? 1,
    log: options.log ?? quietLog,
    baseDir: dir,
    stateDir: dir,
    checkpoint: new FileCheckpoint(join(dir, `${id}-${replica}.checkpoint.json`), 200),
    signal: options.signal ?? new AbortController().signal,
    transport: options.transport ?? { type: 'embedded', dir: join(dir, 'log') },
    consumers: options.consumers ?? ['next'],
    shared: options.shared ?? new SharedResources().acquire,
  };
}
