/* global location, fetch, EventSource, URL, URLSearchParams */
// How the page talks to the inspector: JSON routes and Server-Sent Events, with the token of the
// page's own URL (?token=) when the server requires one.

const token = new URLSearchParams(location.search).get('token');

/** The URL of an API path, carrying the page's token. */
export function apiUrl(path) {
  const url = new URL(path, location.href);
  if (token) url.searchParams.set('token', token);
  return url;
}

/** GETs a JSON route. */
export async function getJson(path) {
  const res = await fetch(apiUrl(path), { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/** Opens an event stream; `handlers` maps event names to functions of the parsed data. */
export function openEvents(path, handlers, onStatus) {
  const source = new EventSource(apiUrl(path));
  for (const [name, fn] of Object.entries(handlers)) source.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  source.addEventListener('open', () => onStatus(true));
  source.addEventListener('error', () => onStatus(false));
  return source;
}
