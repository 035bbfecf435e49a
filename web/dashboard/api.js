// The agent's API, same origin: the dashboard needs nothing from anywhere else.

export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `${path} answered ${res.status}`);
  return body;
}

/**
 * The agent's event stream. EventSource reconnects by itself; `onState` says whether the page is
 * live, so a stale page says so instead of looking healthy.
 */
export function followEvents({ onCheck, onCatalog, onState }) {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('error', () =>
    onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'),
  );
  source.addEventListener('check', (e) => onCheck(JSON.parse(e.data)));
  source.addEventListener('catalog', (e) => onCatalog(JSON.parse(e.data)));
  return source;
}
