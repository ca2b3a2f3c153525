import type { OutgoingMessage } from '../message-log.js';
import type { TextOrBytes } from '../../core/text-or-bytes.js';

let keyBytes = Buffer.allocUnsafe(256);

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`, seed 0x9747b28c) of the key's bytes (a text
 * key's UTF-8, written into a reused buffer instead of a new one per key).
 */
export function murmur2(key: TextOrBytes): number {
  let data: Uint8Array = key as Uint8Array;
  let length = data.byteLength;
  if (typeof key === 'string') {
    const max = key.length * 3;
    if (max > keyBytes.length) keyBytes = Buffer.allocUnsafe(Math.max(max, keyBytes.length * 2));
    length = keyBytes.write(key, 0, 'utf8');
    data = keyBytes;
  }
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Messages of one send grouped by partition: `order[starts[p] .. starts[p + 1])` are partition p's, in send order. */
export interface PartitionGroups {
  order: Int32Array;
  starts: Int32Array;
}

/**
 * Assigns each message a partition and groups them in two linear passes (a counting sort).
 * Keyed messages go where the Java client puts them (murmur2 of the key modulo the partition
 * count); unkeyed ones all go to `stickyPartition`, so a send makes one large batch rather than
 * one small batch per partition (the Java client's sticky partitioner does the same).
 * `keyedTargets`, when given, moves keyed messages from their murmur2 partition to another. A
 * message with its own `partition` goes there, whatever its key.
 */
export function groupByPartition(messages: readonly OutgoingMessage[], partitions: number, stickyPartition: number, keyedTargets?: Int32Array): PartitionGroups {
  const n = messages.length;
  const assigned = new Int32Array(n);
  const starts = new Int32Array(partitions + 1);
  for (let i = 0; i < n; i++) {
    const { key, partition } = messages[i]!;
    let p: number;
    if (partition !== undefined) {
      if (!(partition >= 0 && partition < partitions)) throw new RangeError(`partition ${partition} asked for, the topic has ${partitions}`);
      p = partition;
    } else {
      const hashed = key === undefined ? -1 : (murmur2(key) & 0x7fffffff) % partitions;
      p = hashed < 0 ? stickyPartition : keyedTargets === undefined ? hashed : keyedTargets[hashed]!;
    }
    assigned[i] = p;
    starts[p + 1]! += 1;
  }
  for (let p = 0; p < partitions; p++) starts[p + 1]! += starts[p]!;
  const next = starts.slice(0, partitions);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[assigned[i]!]!++] = i;
  return { order, starts };
}
