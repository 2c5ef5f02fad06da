// What every page shares: who is signed in, where we are, messages, polling.
import { h, fill } from './dom.js';

const RANK = { viewer: 0, submitter: 1, operator: 2 };

/** Who is signed in: {name, role, auth_disabled}; can(role) says whether an action is allowed. */
export const session = {
  who: null,
  can(role) { return this.who !== null && RANK[this.who.role] >= RANK[role]; },
};

/** Parses location.hash "#/jobs?status=failed" into {path, params}. */
export function currentRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, q] = raw.split('?');
  return { path, params: new URLSearchParams(q ?? '') };
}

export function navigate(path) { location.hash = `#${path}`; }

/** A short message at the top of the page (announced to screen readers). */
export function banner(text, kind = 'info') {
  const el = document.getElementById('banner');
  fill(el, text ? h('p', { class: `banner ${kind}` }, text) : null);
}

/**
 * Calls fn now and every ms while the page is shown (skipping hidden tabs and overlapping calls);
 * returns stop().
 */
export function every(ms, fn) {
  let stopped = false;
  let running = false;
  const tick = async () => {
    if (stopped || running || document.hidden) return;
    running = true;
    try { await fn(); } finally { running = false; }
  };
  tick();
  const timer = setInterval(tick, ms);
  return () => { stopped = true; clearInterval(timer); };
}

/** An error as a paragraph the user can read (role=alert). */
export const errorText = (e) => h('p', { class: 'error', role: 'alert' }, e?.message ?? String(e));
