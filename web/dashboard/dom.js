// Building DOM from data without innerHTML: every text from the agent is a text node, never markup.

const svgNS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('td', { class: 'num' }, '42'). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(svgNS, tag), attrs, children);
}

/** A status badge: colour and the word, so the state never depends on colour alone. */
export function badge(status, label = status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, label);
}

/** A table with a caption (its accessible name) and a header row; a header may be { label, num } for a numeric column. */
export function table(caption, headers, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) =>
          typeof x === 'string'
            ? h('th', { scope: 'col' }, x)
            : h('th', { scope: 'col', class: x.num ? 'num' : undefined }, x.label),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
}

export function section(title, ...children) {
  const id = `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), children);
}

export const pct = (n) => (n === null || n === undefined ? '—' : `${n.toFixed(1)}%`);
export const ms = (n) => (n === null || n === undefined ? '—' : `${n < 10 ? n.toFixed(2) : n.toFixed(0)} ms`);
export const ago = (t) => {
  if (!t) return '—';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};
