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

let ids = 0;
/** A document-unique id for label/aria wiring. */
export const uid = (prefix) => `${prefix}-${++ids}`;

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
