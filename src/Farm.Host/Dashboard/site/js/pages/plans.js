import { get, PLANS, query } from '../api.js';
import { h, fill, update, table, badge } from '../dom.js';
import { every, errorText, navigate } from '../shell.js';
import { time } from '../format.js';

const PAGE = 50;

/** The plan list, newest first, paged by the server (offset and limit; the page is in the URL), refreshed every 3 s. */
export function plansPage(main, { params }) {
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const go = (o) => navigate(`/plans${query({ offset: o || '' })}`);

  const results = h('div', { 'aria-live': 'off' });
  const status = h('p', { class: 'count', 'aria-live': 'polite', 'data-testid': 'plans-count' });
  fill(main, h('h1', {}, 'Plans'), status, results);

  return every(3000, async () => {
    try {
      const page = await get(`${PLANS}${query({ offset, limit: PAGE })}`);
      const last = Math.min(page.total, offset + page.plans.length);
      status.textContent = page.total === 0 ? 'No plans yet.' : `Plans ${n(offset + 1)}–${n(last)} of ${n(page.total)}`;
      update(results, page, () => [
        table('Build plans, newest first', [
          { label: 'Plan', cell: p => h('a', { href: `#/plans/${encodeURIComponent(p.id)}` }, p.name || p.id.slice(0, 8)) },
          { label: 'State', cell: p => planState(p) },
          { label: 'Builds', cell: p => p.builds, class: 'num' },
          { label: 'Ref', cell: p => `${shortRepo(p.git_repo)} ${p.git_ref}` },
          { label: 'Submitted by', cell: p => p.submitted_by ?? '—' },
          { label: 'Submitted', cell: p => time(p.created_at) },
        ], page.plans, { empty: 'No plans.', rowAttrs: p => ({ 'data-plan': p.id }) }),
        h('nav', { class: 'pager', 'aria-label': 'Pages' },
          h('button', { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE)) }, 'Newer'),
          h('button', { type: 'button', disabled: page.next_offset == null, onclick: () => go(page.next_offset) }, 'Older'))]);
    } catch (e) {
      update(results, { error: e.message }, () => errorText(e));
    }
  });
}

/** "running", or how it ended ("pass"/"fail"), as a badge: the word is always there. */
export const planState = (p) => badge(p.state === 'ended' ? (p.result ?? 'ended') : 'running');

const n = (x) => x.toLocaleString('en');
const shortRepo = (url) => (url ?? '').replace(/\/+$/, '').split(/[/:]/).pop();
