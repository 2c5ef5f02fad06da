import { h } from './dom.js';

// What a kernel build log's lines mean to a reader: gcc/clang diagnostics, make's "*** [...] Error N",
// the linker's undefined references, the farm's own failure lines.
const ERROR = /(\berror:|\bError \d+\b|\bfatal error\b|undefined reference to|\*\*\* \[|^==> kfarm: .*\bfail)/i;
const WARNING = /\bwarning:/i;

/** 'error', 'warning' or null for one log line. */
export function classifyLine(line) {
  if (ERROR.test(line)) return 'error';
  if (WARNING.test(line)) return 'warning';
  return null;
}

/**
 * A live log: lines appended as they arrive, errors and warnings highlighted, search with
 * next/previous, jump to the first error, and "follow" that keeps the newest line in view.
 */
export class LogView {
  constructor() {
    this.lines = [];        // [{el, text}]
    this.firstError = null;
    this.errors = 0;
    this.warnings = 0;
    this.matches = [];
    this.current = -1;
    this.shown = null;      // the line marked "current" (a search hit or the first error)
    this.partial = '';

    this.pre = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Build log', 'data-testid': 'log' });
    this.follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
    this.search = h('input', { type: 'search', id: 'log-search', placeholder: 'regex or text', oninput: () => this.runSearch() });
    this.count = h('span', { class: 'count', 'aria-live': 'polite', 'data-testid': 'log-matches' });
    this.summary = h('span', { class: 'count', 'data-testid': 'log-summary' });
    this.firstErrorButton = h('button', { type: 'button', disabled: true, onclick: () => this.jumpToFirstError() }, 'Jump to first error');
    this.element = h('section', { class: 'logbox', 'aria-labelledby': 'log-title' },
      h('h2', { id: 'log-title' }, 'Log'),
      h('div', { class: 'toolbar' },
        h('label', { for: 'log-search' }, 'Search log'), this.search,
        h('button', { type: 'button', onclick: () => this.step(-1) }, 'Previous'),
        h('button', { type: 'button', onclick: () => this.step(1) }, 'Next'),
        this.count,
        this.firstErrorButton,
        h('label', { class: 'inline' }, this.follow, ' Follow'),
        this.summary),
      this.pre);
    // Scrolling up to read stops following; scrolling back to the end resumes it.
    this.pre.addEventListener('scroll', () => {
      const atEnd = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 4;
      if (this.follow.checked !== atEnd && this.lines.length > 0) this.follow.checked = atEnd;
    });
  }

  /** Appends text that ends at a line boundary or mid-line (the rest waits for the next call). */
  append(text) {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop();
    this.addLines(parts);
  }

  /** Appends whole lines (an SSE log event's data). */
  appendLines(text) { this.addLines(text.split('\n')); }

  addLines(texts) {
    if (texts.length === 0) return;
    const frag = document.createDocumentFragment();
    const re = this.searchRegex();
    for (const text of texts) {
      const kind = classifyLine(text);
      const el = h('span', { class: kind ? `line ${kind}` : 'line' }, text, '\n');
      if (kind === 'error') { this.errors++; if (!this.firstError) this.firstError = el; }
      if (kind === 'warning') this.warnings++;
      if (re && re.test(text)) { el.classList.add('match'); this.matches.push(el); }
      this.lines.push({ el, text });
      frag.append(el);
    }
    this.pre.append(frag);
    this.firstErrorButton.disabled = !this.firstError;
    this.summary.textContent = `${this.lines.length} lines, ${this.errors} errors, ${this.warnings} warnings`;
    if (re) this.count.textContent = this.countText();
    if (this.follow.checked) this.pre.scrollTop = this.pre.scrollHeight;
  }

  searchRegex() {
    const q = this.search.value;
    if (!q) return null;
    try { return new RegExp(q, 'i'); } catch { return new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'); }
  }

  runSearch() {
    for (const m of this.matches) m.classList.remove('match');
    this.shown?.classList.remove('current');
    this.shown = null;
    this.matches = [];
    this.current = -1;
    const re = this.searchRegex();
    if (re) for (const l of this.lines) if (re.test(l.text)) { l.el.classList.add('match'); this.matches.push(l.el); }
    this.count.textContent = re ? this.countText() : '';
    if (this.matches.length > 0) this.step(1);
  }

  countText() {
    return this.matches.length === 0 ? 'no matches' : `${this.current + 1} of ${this.matches.length} matches`;
  }

  step(delta) {
    if (this.matches.length === 0) return;
    this.current = (this.current + delta + this.matches.length) % this.matches.length;
    this.show(this.matches[this.current]);
    this.count.textContent = this.countText();
  }

  jumpToFirstError() {
    if (this.firstError) this.show(this.firstError);
  }

  /** Scrolls a line into view and marks it as the one line being looked at. */
  show(el) {
    this.follow.checked = false;
    this.shown?.classList.remove('current');
    el.classList.add('current');
    this.shown = el;
    el.scrollIntoView({ block: 'center' });
  }
}
