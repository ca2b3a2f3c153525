import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkSession } from '../../src/coord/zk-session.js';
import { eventually } from '../kit/eventually.js';
import { quietLog } from '../runtime/harness.js';
import { ensureZooKeeper, type ZooKeeperHandle } from '../infra/zookeeper/server.js';
import { TOXIPROXY_INSTALL, Toxiproxy, toxiproxyBinary } from '../infra/toxiproxy/toxiproxy.js';
import { missingPart } from '../real-part.js';

const root = `/millrace-test/zk-session-${process.pid}-${Date.now()}`;

/**
 * A TCP hop to ZooKeeper that can cut every connection and then swallow the next one: accept it,
 * take what the client sends and never answer (what a starting ZooKeeper was seen to do).
 */
async function swallowingHop(target: string): Promise<{ port: number; cutAndSwallowNext(): void; swallowed: () => number; close(): Promise<void> }> {
  const [host, port] = target.split(':') as [string, string];
  const open = new Set<Socket>();
  let swallowNext = false;
  let swallowed = 0;
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (swallowNext) {
      swallowNext = false;
      swallowed++;
      client.resume();
      return;
    }
    const upstream = tcpConnect(Number(port), host);
    open.add(upstream);
    upstream.on('close', () => (open.delete(upstream), client.destroy()));
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cutAndSwallowNext() {
      swallowNext = true;
      for (const s of open) s.destroy();
    },
    swallowed: () => swallowed,
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('ZkSession against a real ZooKeeper', () => {
  let zk: ZooKeeperHandle | undefined;
  const sessions: ZkSession[] = [];
  const open = async (connect: string, sessionTimeoutMs = 2000): Promise<ZkSession> => {
    const s = await ZkSession.open({ connect, sessionTimeoutMs }, quietLog);
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    zk = await ensureZooKeeper();
  }, 240_000);

  afterAll(async () => {
    for (const s of sessions) s.close();
    await zk?.stop();
  }, 60_000);

  it('an ephemeral node is seen by another session and goes when its session closes', async () => {
    const a = await open(zk!.connect);
    const b = await open(zk!.connect);
    await a.ephemeral(`${root}/eph/one`, Buffer.from('hello'));
    expect((await b.get(`${root}/eph/one`))?.toString()).toBe('hello');
    expect(await b.children(`${root}/eph`)).toEqual(['one']);
    a.close();
    await eventually(async () => (await b.get(`${root}/eph/one`)) === undefined || undefined, { what: 'the closed session\'s node to go' });
  });

  it('a data watch fires once on change, and a watch on a missing node fires on its creation', async () => {
    const a = await open(zk!.connect);
    const b = await open(zk!.connect);
    let fired = 0;
    expect(await b.get(`${root}/watched`, () => fired++)).toBeUndefined();
    await a.set(`${root}/watched`, Buffer.from('1'));
    await eventually(() => fired === 1, { what: 'the creation watch' });
    expect((await b.get(`${root}/watched`, () => fired++))?.toString()).toBe('1');
    await a.set(`${root}/watched`, Buffer.from('2'));
    await a.set(`${root}/watched`, Buffer.from('3'));
    await eventually(() => fired === 2, { what: 'the change watch' });
    expect(fired).toBe(2);
  });

  it('a connect string where nothing listens is refused within the connect timeout, naming it', async () => {
    await expect(ZkSession.open({ connect: '127.0.0.1:1', sessionTimeoutMs: 2000, connectTimeoutMs: 1500 }, quietLog)).rejects.toThrow(
      /ZooKeeper at 127\.0\.0\.1:1 gave no session within 1500 ms/,
    );
  });

  it('a connection whose session handshake is never answered is dropped and tried again, and the session resumes with its ephemeral node', async () => {
    const hop = await swallowingHop(zk!.connect);
    try {
      const a = await open(`127.0.0.1:${hop.port}`, 6000);
      const b = await open(zk!.connect);
      const path = `${root}/handshake/member`;
      await a.ephemeral(path, Buffer.from('a'));
      const states: string[] = [];
      a.on('state', (s) => states.push(s));
      hop.cutAndSwallowNext();
      await eventually(() => hop.swallowed() === 1 && states.join() === 'disconnected,connected', { what: 'a reconnect past the swallowed handshake', timeoutMs: 15_000 });
      // The same session came back: its node never went.
      expect((await b.get(path))?.toString()).toBe('a');
    } finally {
      await hop.close();
    }
  }, 30_000);

  it('after its session expires (ZooKeeper unreachable for longer than the timeout) the ephemeral node and the hooks come back in a new session, a failing hook run again until it succeeds', async () => {
    const binary = toxiproxyBinary();
    if (missingPart(binary !== undefined, 'toxiproxy', TOXIPROXY_INSTALL)) return;
    const toxiproxy = await Toxiproxy.start(binary!);
    try {
      const port = await toxiproxy.proxy('zk', zk!.connect);
      const a = await open(`127.0.0.1:${port}`, 1000);
      const b = await open(zk!.connect);
      const states: string[] = [];
      a.on('state', (s) => states.push(s));
      let sessionsSeen = 0;
      a.onSession(async () => void sessionsSeen++);
      // A hook whose first two runs fail (as when the server drops a new session's first requests).
      let failures = 2;
      let hookRuns = 0;
      a.onSession(async () => {
        hookRuns++;
        if (failures-- > 0) throw new Error('transient');
      });
      let restored = 0;
      const path = `${root}/expiry/member`;
      await a.ephemeral(path, Buffer.from('a'), () => restored++);
      expect(sessionsSeen).toBe(0);
      await toxiproxy.enable('zk', false);
      await eventually(async () => (await b.get(path)) === undefined || undefined, { what: 'the server to expire the cut-off session', timeoutMs: 10_000 });
      await toxiproxy.enable('zk', true);
      await eventually(() => states.includes('expired') && a.state === 'connected', { what: 'a new session', timeoutMs: 15_000 });
      await eventually(async () => (await b.get(path))?.toString() === 'a', { what: 'the recreated ephemeral node', timeoutMs: 10_000 });
      expect(sessionsSeen).toBe(1);
      expect(restored).toBe(1);
      await eventually(() => hookRuns === 3, { what: 'the failing hook run again until it succeeded', timeoutMs: 10_000 });
      expect(failures).toBe(-1);
    } finally {
      await toxiproxy.stop();
    }
  }, 60_000);
});
