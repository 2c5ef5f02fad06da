// Small SVG charts. Each is a <figure> with a caption and, for screen readers and exact numbers,
// the same data as a table in a <details>.
import { h, table } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The "nice" upper bound of an axis for a maximum value: 1, 2, 4, 6 or 8 × 10^n (halves stay whole). */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 4, 6, 8, 10].map(f => f * p).find(v => v >= max);
}

/**
 * A line chart over time. series: [{name, values: [{t: ms, v: number}]}]. format(v) labels the axis.
 */
export function lineChart(title, series, { format = v => String(v), max, minTop = 1, testid } = {}) {
  const W = 560, H = 180, L = 48, B = 24, T = 8, R = 8;
  const all = series.flatMap(x => x.values);
  const figure = h('figure', { class: 'chart', 'data-testid': testid });
  const caption = h('figcaption', {}, title);
  if (all.length < 2) {
    figure.append(caption, h('p', { class: 'empty' }, 'Not enough samples yet.'));
    return figure;
  }
  const t0 = Math.min(...all.map(p => p.t)), t1 = Math.max(...all.map(p => p.t));
  const top = max ?? niceMax(Math.max(minTop, ...all.map(p => p.v)));
  const x = t => L + (t1 === t0 ? 0 : (t - t0) / (t1 - t0)) * (W - L - R);
  const y = v => T + (1 - v / top) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart-svg' });
  for (const f of [0, 0.5, 1]) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(top * f), y2: y(top * f), class: 'gridline' }));
    svg.append(s('text', { x: L - 6, y: y(top * f) + 4, 'text-anchor': 'end', class: 'axis' }, format(top * f)));
  }
  const clock = t => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  svg.append(s('text', { x: L, y: H - 6, class: 'axis' }, clock(t0)));
  svg.append(s('text', { x: W - R, y: H - 6, 'text-anchor': 'end', class: 'axis' }, clock(t1)));
  series.forEach((ser, i) => {
    const d = ser.values.map((p, j) => `${j ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
    svg.append(s('path', { d, class: `series series-${i}` }));
  });
  const legend = h('ul', { class: 'legend' }, series.map((ser, i) => h('li', { class: `key-${i}` }, ser.name)));
  const last = series.map(ser => ({ name: ser.name, v: ser.values.at(-1)?.v }));
  figure.append(caption, svg, legend, h('details', {}, h('summary', {}, 'Latest values'),
    table(title, [{ label: 'Series', cell: r => r.name }, { label: 'Latest', cell: r => format(r.v) }], last)));
  return figure;
}

/**
 * Horizontal bars per category with one or more measures: rows [{label, values: [number]}],
 * measures ['p50', 'p90'].
 */
export function barChart(title, rows, measures, { format = v => String(v), testid } = {}) {
  const figure = h('figure', { class: 'chart', 'data-testid': testid }, h('figcaption', {}, title));
  if (rows.length === 0) { figure.append(h('p', { class: 'empty' }, 'No data yet.')); return figure; }
  const W = 560, L = 90, R = 90, bar = 14, gap = 10;
  const group = measures.length * bar + gap;
  const H = rows.length * group + 8;
  const top = niceMax(Math.max(...rows.flatMap(r => r.values)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart-svg' });
  rows.forEach((r, i) => {
    const y0 = 4 + i * group;
    svg.append(s('text', { x: L - 6, y: y0 + (measures.length * bar) / 2 + 4, 'text-anchor': 'end', class: 'axis' }, r.label));
    r.values.forEach((v, j) => {
      const w = Math.max(1, (v / top) * (W - L - R));
      svg.append(s('rect', { x: L, y: y0 + j * bar, width: w.toFixed(1), height: bar - 2, class: `bar series-${j}` }));
      svg.append(s('text', { x: L + w + 4, y: y0 + j * bar + bar - 4, class: 'axis' }, `${measures[j]} ${format(v)}`));
    });
  });
  figure.append(svg, h('ul', { class: 'legend' }, measures.map((m, i) => h('li', { class: `key-${i}` }, m))),
    h('details', {}, h('summary', {}, 'Data'),
      table(title, [{ label: '', cell: r => r.label }, ...measures.map((m, j) => ({ label: m, cell: r => format(r.values[j]) }))], rows)));
  return figure;
}
