// Building DOM from data without innerHTML: every value becomes text, never markup.

/** h('a', {href, class: 'x', onclick}, child, ...) → element. Children: nodes, strings, arrays, null. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A table with a caption; columns: [{label, cell: row => node|string, class?}]. */
export function table(caption, columns, rows, { empty = 'Nothing here.', rowAttrs } = {}) {
  return h('table', { class: 'grid' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty))
      : rows.map(r => h('tr', rowAttrs ? rowAttrs(r) : {}, columns.map(c => h('td', { class: c.class }, c.cell(r)))))));
}

/** A status word as a coloured badge (colour is never the only signal: the word is there). */
export const badge = (status) => h('span', { class: `badge s-${status}` }, status);

/**
 * Re-renders el from data only when the data changed, and keeps keyboard focus on the same
 * control (same kind, label, link and row) across the re-render: a page that refreshes every few
 * seconds must not throw a keyboard user's focus away, nor re-arm a button mid-press.
 */
const rendered = new WeakMap(); // element → the JSON of the data it shows

export function update(el, data, build) {
  const key = JSON.stringify(data);
  if (rendered.get(el) === key) return false;
  const active = document.activeElement;
  const sig = active && el.contains(active) ? signature(active) : null;
  fill(el, build());
  rendered.set(el, key);
  if (sig) [...el.querySelectorAll(active.tagName)].find(e => signature(e) === sig)?.focus({ preventScroll: true });
  return true;
}

function signature(e) {
  const row = e.closest('tr');
  return [e.tagName, e.id, e.getAttribute('aria-label'), e.getAttribute('href'), e.textContent.trim(), row ? JSON.stringify({ ...row.dataset }) : ''].join('|');
}

/** Keeps "time since" texts moving between refreshes: elements with data-since (ISO) and data-suffix. */
export function tickDurations(root, format) {
  const timer = setInterval(() => {
    for (const el of root.querySelectorAll('[data-since]')) {
      el.textContent = format((Date.now() - Date.parse(el.dataset.since)) / 1000) + (el.dataset.suffix ?? '');
    }
  }, 1000);
  return () => clearInterval(timer);
}
