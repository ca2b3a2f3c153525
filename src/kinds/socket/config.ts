import { z } from 'zod';

export const socketSourceConfig = z
  .strictObject({
    path: z.string().min(1).describe('Path of the unix socket applications write to (relative to the topology). A stale socket file left by a killed agent is replaced; one another process listens on is an error.'),
    type: z
      .enum(['stream', 'datagram'])
      .default('stream')
      .describe('stream: SOCK_STREAM connections; datagram: SOCK_DGRAM, one record per datagram (needs the unix-dgram addon; answers only senders that bound a path of their own; cannot hold senders back, so above maxBufferedRecords a datagram is refused: counted and answered NAK).'),
    format: z
      .enum(['line', 'msgpack'])
      .default('line')
      .describe('line: `<logId> <payload>\\n` per record; msgpack: a big-endian u32 length, then MessagePack `{ logId, value, key?, ts?, headers? }`.'),
    ack: z
      .boolean()
      .default(false)
      .describe('Answer each record on its connection (datagram: to the sender\'s bound path), in order, once it is delivered end to end: byte 0x06 (ACK), or 0x15 (NAK) for a record dead-lettered as malformed. A record never answered was not delivered (the agent stopped or was killed): the client should send it again.'),
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'an octal file mode such as 660')
      .default('660')
      .describe('File mode of the socket (who may connect), octal.'),
    maxFrameBytes: z.number().int().positive().default(1024 * 1024).describe('Largest record (a line, or a msgpack frame) accepted; a longer line is dead-lettered, a longer msgpack length closes the connection.'),
    maxBatchRecords: z.number().int().positive().default(1000).describe('Records per batch handed downstream at most.'),
    maxBufferedRecords: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Records received and not yet read downstream; above this every connection is paused (the applications are held back by the socket).'),
  })
  .describe('Receives records that applications write to a unix socket, tagged with their stream id (logId).');

export type SocketSourceConfig = z.output<typeof socketSourceConfig>;
