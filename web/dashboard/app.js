// The dashboard shell: one view at a time (from the URL hash), data from the agent's API, kept
// live by its event stream. Each view is a module in views/ with { id, title, source, render, patch }.
import { followEvents, getJson } from './api.js';
import { h } from './dom.js';
import balancers from './views/balancers.js';
import overview from './views/overview.js';
import ports from './views/ports.js';
import services from './views/services.js';
import topology from './views/topology.js';

const views = [overview, services, balancers, ports, topology];
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const live = document.getElementById('live');
const themeButton = document.getElementById('theme');

let current;
let data;
let loading = 0;
let reloadTimer;
let loadedAt = 0;

function viewFromHash() {
  const id = location.hash.replace(/^#\/?/, '') || 'overview';
  return views.find((v) => v.id === id) ?? overview;
}

/** Read the view's data and draw it; a newer load wins over an older one still in flight. */
async function load(view, { focus = false } = {}) {
  const ticket = ++loading;
  loadedAt = Date.now();
  try {
    const next = await getJson(view.source);
    if (ticket !== loading || view !== current) return;
    data = next;
    document.getElementById('project').textContent = next.project ? `· ${next.project}` : '';
    const keep = document.activeElement?.id;
    main.replaceChildren(view.render(next));
    main.setAttribute('aria-busy', 'false');
    if (keep && document.getElementById(keep)) document.getElementById(keep).focus();
    if (focus) main.focus();
  } catch (error) {
    if (ticket !== loading) return;
    main.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `Could not load ${view.title}: ${error.message}`),
    );
  }
}

function show() {
  const view = viewFromHash();
  const switched = view !== current;
  current = view;
  document.title = `${view.title} · Portico dashboard`;
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.view === view.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (switched) {
    data = undefined;
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(h('p', { class: 'muted' }, `Loading ${view.title}…`));
  }
  void load(view, { focus: switched && document.activeElement !== document.body });
}

/** Several events in a burst cause one re-read. */
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => load(current), 300);
}

followEvents({
  onCheck(event) {
    // Draw the transition at once from the event itself, then re-read for the derived figures.
    if (data && current.patch) current.patch(main, data, event);
    reloadSoon();
  },
  onCatalog: reloadSoon,
  onState(state) {
    live.textContent = state === 'live' ? 'live' : state === 'closed' ? 'disconnected' : 'reconnecting…';
    live.dataset.state = state;
    if (state === 'live') reloadSoon();
  },
});

// Keys: 1–5 pick a view, arrows move along the menu, t toggles the theme.
document.addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable]'))
    return;
  const index = Number(e.key) - 1;
  if (Number.isInteger(index) && views[index]) {
    location.hash = `#/${views[index].id}`;
    nav.querySelectorAll('a')[index].focus();
    e.preventDefault();
  } else if (e.key === 't') {
    toggleTheme();
  }
});
nav.addEventListener('keydown', (e) => {
  const links = [...nav.querySelectorAll('a')];
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
  const to = step
    ? (at + step + links.length) % links.length
    : e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? links.length - 1
        : -1;
  if (to < 0) return;
  links[to].focus();
  e.preventDefault();
});

// Theme: the system's preference unless the user chose one here (remembered in this browser).
const prefersDark = matchMedia('(prefers-color-scheme: dark)');
function applyTheme() {
  const chosen = localStorage.getItem('portico-theme');
  const dark = chosen ? chosen === 'dark' : prefersDark.matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  // A toggle button keeps its name; aria-pressed carries the state.
  themeButton.setAttribute('aria-pressed', String(dark));
}
function toggleTheme() {
  localStorage.setItem('portico-theme', document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  applyTheme();
}
themeButton.addEventListener('click', toggleTheme);
prefersDark.addEventListener('change', applyTheme);
applyTheme();

addEventListener('hashchange', show);
// Figures that change without a catalog event (a health report, sockets, "ago") are re-read on
// the view's own period.
setInterval(() => {
  if (Date.now() - loadedAt > (current.refreshMs ?? 30_000)) void load(current);
}, 2_000);
show();
