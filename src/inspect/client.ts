/** How `millrace top`, `millrace tap` and the cluster view reach an inspector, and how they authenticate. */
export interface InspectorTarget {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  url: string;
  token?: string;
}

/** The inspector address `top` and `tap` use when not told. */
export const defaultInspectorUrl = 'http://127.0.0.1:9464';

function request(target: InspectorTarget, path: string, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {};
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  return fetch(new URL(path, target.url.endsWith('/') ? target.url : `${target.url}/`), { headers, signal });
}

async function failure(res: Response, path: string): Promise<Error> {
  const body = await res.text();
  let message = body;
  try {
    message = (JSON.parse(body) as { error?: string }).error ?? body;
  } catch {
    // not JSON: keep the text
  }
  return new Error(`${path}: HTTP ${res.status}: ${message}`);
}

/** GETs a JSON route of the inspector. */
export async function getJson<T>(target: InspectorTarget, path: string): Promise<T> {
  const res = await request(target, path);
  if (!res.ok) throw await failure(res, path);
  return (await res.json()) as T;
}

/**
 * Reads a Server-Sent Events route, calling `onEvent` for each event, until the server ends the
 * stream, `onEvent` returns `'stop'`, or `signal` aborts.
 */
export async function readEvents(target: InspectorTarget, path: string, onEvent: (event: string, data: string) => void | 'stop', signal?: AbortSignal): Promise<void> {
  const res = await request(target, path, signal);
  if (!res.ok || res.body === null) throw await failure(res, path);
  const reader = res.body.getReader();
  // Cancelling the reader ends a pending read at once; an aborted fetch alone may leave it waiting.
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0 && onEvent(event, data.join('\n')) === 'stop') return cancel();
      }
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
