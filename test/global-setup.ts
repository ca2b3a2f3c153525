import { ensureHdfs } from './infra/hdfs/cluster.js';
import { ensureKafka } from './infra/kafka/broker.js';
import { ensureMariaDb } from './infra/mariadb/server.js';
import { ensureOpenSearch } from './infra/opensearch/node.js';
import { pushgatewayBinary } from './infra/pushgateway/pushgateway.js';
import { toxiproxyBinary } from './infra/toxiproxy/toxiproxy.js';
import { ensureZooKeeper } from './infra/zookeeper/server.js';

/**
 * Starts the real services the integration tests share (Kafka "a", HDFS "a", MariaDB "a",
 * ZooKeeper "a", OpenSearch "a") once, in parallel, before any test file runs, and stops them
 * after the last; builds the Go tools the tests run (toxiproxy, the Pushgateway). Test files still call
 * `ensure*` themselves: they find the instance running and leave it running when they finish.
 * Tests that kill a service use instances of their own. `npm test` turns this on with
 * `MILLRACE_SERVICES=shared`; a plain `npx vitest run <dir>` leaves each test file to start what
 * it needs.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.MILLRACE_SERVICES !== 'shared') return async () => undefined;
  const started = performance.now();
  const handles = await Promise.all([
    ensureKafka('a', 19092),
    ensureHdfs('a', 19870),
    ensureMariaDb('a', 13306),
    ensureZooKeeper('a', 12181),
    ensureOpenSearch('a', 9200),
  ]);
  // Built from the Go module proxy on first use (a minute or more on a fresh machine): here, not
  // inside the first test that needs one, whose timeout the build would eat.
  for (const [tool, binary] of [['toxiproxy', toxiproxyBinary], ['pushgateway', pushgatewayBinary]] as const) {
    if (binary() === undefined) throw new Error(`${tool} is missing and could not be built with Go`);
  }
  process.stderr.write(`real services up (Kafka, HDFS, MariaDB, ZooKeeper, OpenSearch; toxiproxy and pushgateway built) in ${Math.round((performance.now() - started) / 1000)} s
`);
  return async () => {
    await Promise.all(handles.map((h) => h.stop()));
  };
}
