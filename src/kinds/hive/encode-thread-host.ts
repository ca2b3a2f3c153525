/** The hive sink's encoder thread (see encode-thread.ts): one Parquet file per message. */
import { parentPort } from 'node:worker_threads';
import type { EncodeReply, EncodeRequest } from './encode-thread.js';
import { encodeParquet, mergeParquet } from './parquet-file.js';

const port = parentPort;
port?.on('message', (message: EncodeRequest) => {
  let reply: EncodeReply;
  try {
    const bytes = 'data' in message ? encodeParquet(message.columns, message.data, message.codec) : mergeParquet(message.files, message.codec);
    reply = { id: message.id, bytes };
  } catch (error) {
    reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, 'bytes' in reply ? [reply.bytes.buffer as ArrayBuffer] : []);
});
