import type { DeadRecord } from '../../actors/io.js';
import type { LogRecord } from '../../streams/record.js';
import type { ClusterRoutesConfig } from './cluster-routes-config.js';

/** A batch's records by the cluster their header names, the header removed; unknown names dead-lettered. */
export interface ByCluster {
  own: LogRecord[];
  others: Map<string, LogRecord[]>;
  dead: DeadRecord[];
}

export function byCluster(records: readonly LogRecord[], routes: ClusterRoutesConfig): ByCluster {
  const out: ByCluster = { own: [], others: new Map(), dead: [] };
  for (const record of records) {
    const named = record.headers?.[routes.header];
    if (named === undefined) {
      out.own.push(record);
      continue;
    }
    const name = typeof named === 'string' ? named : Buffer.from(named).toString('utf8');
    const headers = { ...record.headers };
    delete headers[routes.header];
    const stripped: LogRecord = { ...record, headers };
    if (Object.keys(headers).length === 0) delete stripped.headers;
    if (name === routes.own) out.own.push(stripped);
    else if (Object.hasOwn(routes.clusters, name)) {
      const list = out.others.get(name);
      if (list === undefined) out.others.set(name, [stripped]);
      else list.push(stripped);
    } else {
      const known = [routes.own, ...Object.keys(routes.clusters)].join(', ');
      out.dead.push({ record, reason: `header ${routes.header} names cluster ${JSON.stringify(name)}, which this sink does not know (known: ${known}); add it under routes.clusters` });
    }
  }
  return out;
}
