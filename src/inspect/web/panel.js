// The side panel of the selected actor: its numbers, its lifecycle state machine with the current
// state lit, its replicas, its recent transitions and errors, and its config.

import { bytes, clock, compact, duration, el, stateColor } from './format.js';
import { LifecycleDiagram } from './lifecycle.js';

function stat(label, value, cls) {
  return el('div', { class: `stat${cls ? ` ${cls}` : ''}` }, [el('span', { class: 'stat-label', text: label }), el('span', { class: 'stat-value', text: value })]);
}

function pill(state) {
  const p = el('span', { class: 'state-pill', text: state });
  p.style.backgroundColor = stateColor(state);
  return p;
}

/** Shows one actor; rebuilt on selection, refreshed on every update. */
export class ActorPanel {
  constructor(container, lifecycle, onClose) {
    this.container = container;
    this.lifecycle = lifecycle;
    this.onClose = onClose;
    this.id = undefined;
  }

  /** Shows `id`, or hides the panel when `id` is undefined. */
  select(id, node) {
    this.id = id;
    this.container.classList.toggle('open', id !== undefined);
    if (id === undefined) return this.container.replaceChildren();
    this.diagram = new LifecycleDiagram(this.lifecycle);
    this.head = el('div', { class: 'panel-head' });
    this.stats = el('div', { class: 'stats' });
    this.replicas = el('table', { class: 'replicas' });
    this.log = el('ol', { class: 'transitions' });
    this.errors = el('ul', { class: 'errors' });
    const config = el('pre', { class: 'config', text: JSON.stringify({ config: node.config, channel: node.channel, supervision: node.supervision }, null, 2) });
    const section = (title, ...body) => el('section', {}, [el('h3', { text: title }), ...body]);
    this.container.replaceChildren(
      this.head,
      this.stats,
      section('State machine', this.diagram.root),
      section('Replicas', this.replicas),
      section('Recent transitions', this.log),
      section('Errors', this.errors),
      section('Config', config),
    );
  }

  /** Refreshes the panel from the actor's view and its transitions (oldest first). */
  update(actor, transitions, now) {
    if (this.id === undefined || actor === undefined) return;
    const close = el('button', { class: 'close', type: 'button', 'aria-label': 'close', text: '×' });
    close.addEventListener('click', () => this.onClose());
    this.head.replaceChildren(el('div', {}, [el('h2', { text: actor.id }), el('div', { class: 'muted', text: `${actor.kind} · ${actor.role} · ${actor.replicas.length} replica${actor.replicas.length > 1 ? 's' : ''}` })]), pill(actor.state), close);
    const ch = actor.channel;
    this.stats.replaceChildren(
      stat('in', `${compact(actor.rates.recordsIn)}/s`),
      stat('out', `${compact(actor.rates.recordsOut)}/s`),
      stat('records in', compact(actor.records.in)),
      stat('records out', compact(actor.records.out)),
      stat('bytes in', bytes(actor.bytes.in)),
      stat('bytes out', bytes(actor.bytes.out)),
      stat('channel', ch ? `${compact(ch.depthRecords)} / ${compact(ch.capacityRecords)}` : '—'),
      stat('channel bytes', ch ? `${bytes(ch.depthBytes)} / ${bytes(ch.capacityBytes)}` : '—'),
      stat('blocked', duration(actor.blockedMs)),
      stat('upstream waited', ch ? duration(ch.producersBlockedMs) : '—'),
      stat('redelivered', ch ? compact(ch.redelivered) : '—', ch?.redelivered > 0 ? 'warn' : ''),
      stat('dropped', compact(actor.dropped), actor.dropped > 0 ? 'warn' : ''),
      stat('dead-lettered', compact(actor.deadLettered), actor.deadLettered > 0 ? 'warn' : ''),
      stat('restarts', String(actor.restarts), actor.restarts > 0 ? 'warn' : ''),
      stat('errors', String(actor.errors), actor.errors > 0 ? 'bad' : ''),
    );
    const mine = transitions.filter((t) => t.actor === actor.id);
    this.diagram.update(actor.replicas.map((r) => r.state), mine[mine.length - 1]);
    this.replicas.replaceChildren(
      el('tr', {}, ['#', 'state', 'for', 'restarts', 'status'].map((h) => el('th', { text: h }))),
      ...actor.replicas.map((r) =>
        el('tr', {}, [
          el('td', { text: String(r.replica) }),
          el('td', {}, [pill(r.state)]),
          el('td', { text: r.since ? duration(now - r.since) : '—' }),
          el('td', { text: String(r.restarts) }),
          el('td', { class: 'status', text: r.status ? JSON.stringify(r.status) : r.lastError ?? '' }),
        ]),
      ),
    );
    this.log.replaceChildren(
      ...mine
        .slice(-40)
        .reverse()
        .map((t) =>
          el('li', { class: t.error ? 'has-error' : '' }, [
            el('span', { class: 'ts', text: clock(t.ts) }),
            el('span', { class: 'replica', text: `#${t.replica}` }),
            el('span', { class: 'move', text: `${t.from ?? '∅'} → ${t.to}` }),
            el('span', { class: 'event', text: t.event }),
          ]),
        ),
    );
    if (mine.length === 0) this.log.replaceChildren(el('li', { class: 'muted', text: 'no transitions yet' }));
    const errors = mine.filter((t) => t.error).slice(-10).reverse().map((t) => el('li', {}, [el('span', { class: 'ts', text: clock(t.ts) }), el('span', { text: ` #${t.replica} ${t.to}: ${t.error}` })]));
    if (actor.lastError && !mine.some((t) => t.error === actor.lastError.message)) errors.unshift(el('li', {}, [el('span', { class: 'ts', text: clock(actor.lastError.at) }), el('span', { text: ` ${actor.lastError.message}` })]));
    this.errors.replaceChildren(...(errors.length > 0 ? errors : [el('li', { class: 'muted', text: 'none' })]));
  }
}
