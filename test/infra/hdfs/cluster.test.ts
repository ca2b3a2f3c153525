import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deletePath,
  ensureHdfs,
  fileStatus,
  mkdirs,
  openLocation,
  putFile,
  readFile,
  startHdfs,
  stopHdfs,
  type HdfsHandle,
} from './cluster.js';

const external = Boolean(process.env.MILLRACE_HDFS_URL);
const NAME = 'a';
const PORT = 19870;

describe('HDFS test infrastructure', () => {
  let hdfs: HdfsHandle | undefined;
  const dir = `/millrace-infra-test/${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    hdfs = await ensureHdfs(NAME, PORT);
  }, 240_000);

  afterAll(async () => {
    if (hdfs) {
      await deletePath(hdfs.url, dir).catch(() => false);
      await hdfs.stop();
    }
  }, 120_000);

  it("a started HDFS stores a file over WebHDFS and serves it back via OPEN's datanode redirect", async () => {
    if (!hdfs) throw new Error('HDFS not started');
    const file = `${dir}/nested/sample.bin`;
    // Larger than one 64 KiB packet, so the DataNode write pipeline really streams.
    const bytes = new Uint8Array(randomBytes(300_000));

    await mkdirs(hdfs.url, `${dir}/nested`);
    await putFile(hdfs.url, file, bytes);

    const status = await fileStatus(hdfs.url, file);
    expect(status).toMatchObject({ type: 'FILE', length: bytes.byteLength, replication: 1 });

    const location = new URL(await openLocation(hdfs.url, file));
    expect(location.pathname).toBe(`/webhdfs/v1${file}`);
    if (!external) {
      // The DataNode advertises 127.0.0.1 on its own HTTP port (P+3), not a hostname.
      expect(location.hostname).toBe('127.0.0.1');
      expect(location.port).toBe(String(PORT + 3));
    }

    const back = await readFile(hdfs.url, file);
    expect(back.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);

    // Overwrite with text and read it back.
    await putFile(hdfs.url, `${dir}/hello.txt`, 'hello, millrace\n');
    expect(Buffer.from(await readFile(hdfs.url, `${dir}/hello.txt`)).toString('utf8')).toBe(
      'hello, millrace\n',
    );
    expect(await fileStatus(hdfs.url, `${dir}/missing`)).toBeNull();
  });

  it.skipIf(external)(
    'keeps its data across a stop/start of the same instance (for failover tests)',
    async () => {
      if (!hdfs) throw new Error('HDFS not started');
      const file = `${dir}/durable.txt`;
      await putFile(hdfs.url, file, 'survives restarts');
      await stopHdfs(NAME);
      await expect(fetch(`${hdfs.url}/webhdfs/v1/?op=LISTSTATUS`)).rejects.toThrow();
      await startHdfs(NAME, PORT);
      expect(Buffer.from(await readFile(hdfs.url, file)).toString('utf8')).toBe(
        'survives restarts',
      );
    },
    120_000,
  );
});
