/* global document, requestAnimationFrame, setInterval */
// The web inspector: loads the topology and the lifecycle machine, then follows a live run
// (polling /api/actors each second, transitions over Server-Sent Events) or scrubs a recording.

import { getJson, openEvents } from './api.js';
import { clock, el, stateColors } from './format.js';
import { clusterRoot, clusterUnreadable, renderCluster } from './cluster.js';
import { TopologyGraph } from './graph.js';
import { ActorPanel } from './panel.js';
import { Replay, replayControls } from './replay.js';

const $ = (id) => document.getElementById(id);

const model = { actors: new Map(), transitions: [], health: { status: 'running' }, ts: Date.now(), selected: undefined };
let graph;
let panel;
let topology;
let queued = false;

function render() {
  queued = false;
  graph.update(model.actors, model.selected);
  panel.update(model.actors.get(model.selected), model.transitions, model.ts);
  const health = $('health');
  health.textContent = model.health.status;
  health.className = `badge-${model.health.status}`;
  health.title = model.health.error ?? '';
  $('clock').textContent = clock(model.ts);
}

function schedule() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(render);
}

function select(id) {
  model.selected = model.selected === id ? undefined : id;
  panel.select(model.selected, topology.nodes.find((n) => n.id === model.selected));
  document.body.classList.toggle('panel-open', model.selected !== undefined);
  schedule();
}

function legend() {
  $('legend').replaceChildren(
    ...Object.entries(stateColors).map(([state, color]) => {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.backgroundColor = color;
      return el('span', { class: 'legend-item' }, [swatch, document.createTextNode(state)]);
    }),
  );
}

/** Applies a live transition at once, before the next poll brings the numbers. */
function onTransition(t) {
  model.transitions.push(t);
  if (model.transitions.length > 2000) model.transitions.splice(0, model.transitions.length - 2000);
  const actor = model.actors.get(t.actor);
  const replica = actor?.replicas[t.replica];
  if (replica) {
    replica.state = t.to;
    replica.since = t.ts;
    if (t.error) replica.lastError = t.error;
  }
  schedule();
}

async function poll() {
  try {
    const res = await getJson('api/actors');
    model.actors = new Map(res.actors.map((a) => [a.id, a]));
    model.health = res.health;
    model.ts = res.ts;
    $('conn').classList.remove('lost');
  } catch {
    $('conn').classList.add('lost');
  }
  schedule();
}

async function pollCluster() {
  try {
    renderCluster(clusterRoot(), await getJson('api/cluster'));
  } catch (error) {
    clusterUnreadable(clusterRoot(), error);
  }
}

async function live(info) {
  $('mode').textContent = 'live';
  if (info.membership) {
    await pollCluster();
    setInterval(pollCluster, 2000);
  }
  model.transitions = (await getJson('api/transitions')).transitions;
  await poll();
  setInterval(poll, 1000);
  openEvents('api/events', { transition: onTransition }, (ok) => $('conn').classList.toggle('lost', !ok));
}

async function replay() {
  $('mode').textContent = 'replay';
  document.body.classList.add('replaying');
  const r = new Replay(await getJson('api/recording'));
  replayControls($('replay'), r, (t) => {
    const view = r.at(t);
    model.actors = view.actors;
    model.transitions = view.transitions;
    model.health = view.health;
    model.ts = t;
    schedule();
  });
}

async function main() {
  const [info, topo, lifecycle] = await Promise.all([getJson('api/info'), getJson('api/topology'), getJson('api/lifecycle')]);
  topology = topo;
  document.title = `${info.name} · millrace inspector`;
  $('name').textContent = info.name;
  $('file').textContent = topology.file;
  legend();
  graph = new TopologyGraph($('graph'), topology, select);
  panel = new ActorPanel($('panel'), lifecycle, () => select(model.selected));
  await (info.mode === 'replay' ? replay() : live(info));
}

main().catch((error) => {
  $('graph').replaceChildren(el('p', { class: 'fatal', text: `cannot load the inspector: ${error.message}` }));
});
