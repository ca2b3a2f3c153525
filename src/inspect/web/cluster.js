/* global document */
// The cluster view: the topology's processes (ZooKeeper membership), each with its state and
// rates as its own inspector reports them; shown when the run has coordination.zookeeper.

import { compact, el } from './format.js';

const columns = ['process', 'state', 'in/s', 'out/s', 'actors', 'restarts', 'errors', 'version', 'inspector'];

function row(p, self) {
  const state = el('span', { class: `cluster-state state-${p.state}`, text: p.state });
  const why = p.error ?? (p.state === 'degraded' ? `degraded: ${[...p.degradedActors, ...(p.membership?.degraded ? [`zookeeper ${p.membership.state}`] : [])].join(', ')}` : '');
  const link = p.inspector === null ? el('span', { class: 'muted', text: '-' }) : el('a', { href: p.inspector, target: '_blank', rel: 'noopener', text: p.inspector });
  const num = (n, f = String) => el('td', { class: 'num', text: n === null ? '-' : f(n) });
  return el('tr', { class: p.node === self ? 'self' : '', title: why }, [
    el('td', { text: p.name }),
    el('td', {}, [state, ...(why ? [el('span', { class: 'muted why', text: ` ${why}` })] : [])]),
    num(p.inRate, compact),
    num(p.outRate, compact),
    num(p.actors),
    num(p.restarts),
    num(p.errors),
    el('td', { text: p.version ?? '-' }),
    el('td', {}, [link]),
  ]);
}

/** Renders an `/api/cluster` answer into `root`. */
export function renderCluster(root, view) {
  const m = view.membership;
  const head = el('div', { class: 'cluster-head' }, [
    el('strong', { text: `cluster: ${view.processes.length} process${view.processes.length === 1 ? '' : 'es'}` }),
    el('span', { class: `cluster-membership ${m.degraded ? 'degraded' : 'ok'}`, text: `membership ${m.state}` }),
    el('span', { class: 'muted', text: `zookeeper ${view.zookeeper}` }),
    ...(view.error ? [el('span', { class: 'cluster-error', text: view.error })] : []),
  ]);
  const table = el('table', { class: 'cluster-table' }, [
    el('thead', {}, [el('tr', {}, columns.map((c) => el('th', { text: c })))]),
    el('tbody', {}, view.processes.map((p) => row(p, m.node.slice(m.node.lastIndexOf('/') + 1)))),
  ]);
  root.replaceChildren(head, table);
  root.hidden = false;
}

/** Shows a cluster view that could not be read. */
export function clusterUnreadable(root, error) {
  root.replaceChildren(el('div', { class: 'cluster-error', text: `cluster view: ${error.message}` }));
  root.hidden = false;
}

export const clusterRoot = () => document.getElementById('cluster');
