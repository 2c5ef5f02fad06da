import { get, JOBS, query } from '../api.js';
import { h, fill, update, tickDurations, table, badge } from '../dom.js';
import { every, errorText, navigate } from '../shell.js';
import { duration, time, jobDuration, runningSince } from '../format.js';
import { catalog } from '../catalog.js';

const PAGE = 50;

/**
 * The job list: filtered and paged by the server (the API's status/architecture/server/since
 * filters, offset and limit), refreshed every 3 s. Filters and page live in the URL.
 */
export function jobsPage(main, { params }) {
  const filters = {
    status: params.get('status') ?? '',
    architecture: params.get('architecture') ?? '',
    server: params.get('server') ?? '',
    since: params.get('since') ?? '',
  };
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const go = (f, o) => navigate(`/jobs${query({ ...f, offset: o || '' })}`);

  // The choices come from the farm's catalog; until it answers, the current filter is the only one.
  const select = (id, label, pick, value) => {
    const list = h('select', { id, name: id }, h('option', { value: '' }, 'any'), value ? h('option', { value, selected: true }, value) : null);
    catalog().then(c => fill(list, h('option', { value: '' }, 'any'),
      pick(c).map(o => h('option', { value: o, selected: o === value }, o)))).catch(() => {});
    return [h('label', { for: id }, label), list];
  };
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter jobs', onsubmit: (e) => {
    e.preventDefault();
    const data = new FormData(form);
    go({
      status: data.get('status'), architecture: data.get('architecture'), server: data.get('server').trim(),
      since: data.get('since') ? new Date(data.get('since')).toISOString() : '',
    }, 0);
  } },
    select('status', 'Status', c => c.statuses.map(s => s.name), filters.status),
    select('architecture', 'Architecture', c => c.architectures.map(a => a.name), filters.architecture),
    h('label', { for: 'server' }, 'Server'), h('input', { id: 'server', name: 'server', value: filters.server, size: 12 }),
    h('label', { for: 'since' }, 'Submitted since'),
    h('input', { id: 'since', name: 'since', type: 'datetime-local', value: filters.since ? toLocalInput(filters.since) : '' }),
    h('button', { type: 'submit' }, 'Apply'),
    h('button', { type: 'button', onclick: () => go({}, 0) }, 'Clear'));

  const results = h('div', { 'aria-live': 'off' });
  const status = h('p', { class: 'count', 'aria-live': 'polite', 'data-testid': 'jobs-count' });
  fill(main, h('h1', {}, 'Jobs'), form, status, results);

  const stopTicking = tickDurations(main, duration);
  const stopPolling = every(3000, async () => {
    try {
      const page = await get(`${JOBS}${query({ ...filters, offset, limit: PAGE })}`);
      const last = Math.min(page.total, offset + page.jobs.length);
      status.textContent = page.total === 0 ? 'No jobs match.' : `Jobs ${n(offset + 1)}–${n(last)} of ${n(page.total)}`;
      update(results, page, () => [
        table('Build jobs, newest first', [
          { label: 'Job', cell: j => h('a', { href: `#/jobs/${j.id}` }, j.id.slice(0, 8)) },
          { label: 'Status', cell: j => badge(j.status) },
          { label: 'Architecture', cell: j => j.target_architecture },
          { label: 'Toolchain', cell: j => j.toolchain ?? '—' },
          { label: 'Server', cell: j => j.server_id ?? '—' },
          { label: 'Duration', cell: j => h('span', { dataset: runningSince(j) ? { since: runningSince(j) } : null }, duration(jobDuration(j))), class: 'num' },
          { label: 'Submitted by', cell: j => j.submitted_by ?? '—' },
          { label: 'Submitted', cell: j => time(j.created_at) },
          { label: 'Repository', cell: j => `${shortRepo(j.source_repository)} ${j.branch}` },
        ], page.jobs, { empty: 'No jobs match these filters.', rowAttrs: j => ({ 'data-job': j.id }) }),
        h('nav', { class: 'pager', 'aria-label': 'Pages' },
          h('button', { type: 'button', disabled: offset === 0, onclick: () => go(filters, Math.max(0, offset - PAGE)) }, 'Newer'),
          // next_offset: a page may hold fewer than PAGE jobs (it is bounded in bytes too)
          h('button', { type: 'button', disabled: page.next_offset == null, onclick: () => go(filters, page.next_offset) }, 'Older'))]);
    } catch (e) {
      update(results, { error: e.message }, () => errorText(e));
    }
  });
  return () => { stopPolling(); stopTicking(); };
}

const n = (x) => x.toLocaleString('en');
const shortRepo = (url) => (url ?? '').replace(/\/+$/, '').split(/[/:]/).pop();

function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
