import { get, post, PLANS, JOBS } from '../api.js';
import { h, fill, update, tickDurations, table, badge } from '../dom.js';
import { session, every, errorText, banner } from '../shell.js';
import { duration, time } from '../format.js';
import { planMatrix } from '../planMatrix.js';
import { planState } from './plans.js';

/** Build states after which a plan's build never changes (docs/plans.md). */
const ENDED = new Set(['completed', 'failed', 'cancelled', 'unsupported']);
/** How many failed builds' jobs one refresh reads at most (a plan has up to 500 builds). */
const FAILURES_PER_REFRESH = 8;

/**
 * One plan: what it builds from, its state, result and counts, the matrix (architecture ×
 * configuration, each cell its build's state linking to the job), and every build with its errors
 * and warnings. Refreshed every 2 s until the plan has ended.
 */
export function planPage(main, { match }) {
  const id = decodeURIComponent(match[1]);
  const url = `${PLANS}/${encodeURIComponent(id)}`;
  const head = h('div');
  const actionsBar = h('div');
  const matrixBox = h('section', { 'aria-labelledby': 'matrix-title' });
  const buildsBox = h('section', { 'aria-labelledby': 'builds-title' });
  fill(main, head, actionsBar, matrixBox, buildsBox);

  let plan = null;
  let done = false;
  let stopPolling = null;
  // job id → the failure of a failed build's job ("build failure in building: …"), read once from
  // the job (the API has no error and warning counts per job: those are only in metadata.json,
  // which the farm does not serve)
  const failures = new Map();

  const render = () => {
    update(head, plan, () => header(plan));
    update(actionsBar, { running: plan.state === 'running', cancel: plan.cancel_requested }, () => actions(plan));
    update(matrixBox, plan.builds, () => matrix(plan));
    update(buildsBox, { builds: plan.builds, failures: [...failures] }, () => buildList(plan, failures));
  };

  const refresh = async () => {
    if (done) return;
    try {
      plan = await get(url);
      render();
      await readFailures();
      render();
      done = plan.state === 'ended' && plan.builds.every(b => !wantsFailure(b) || failures.has(b.job_id));
      if (done) stopPolling?.();
    } catch (e) {
      update(head, { error: e.message }, () => [h('h1', {}, 'Plan'), errorText(e)]);
      if (e.status === 404) { done = true; stopPolling?.(); }
    }
  };

  async function readFailures() {
    const todo = plan.builds.filter(b => wantsFailure(b) && !failures.has(b.job_id)).slice(0, FAILURES_PER_REFRESH);
    await Promise.all(todo.map(async b => {
      try {
        const f = (await get(`${JOBS}/${encodeURIComponent(b.job_id)}`)).failure;
        failures.set(b.job_id, f ? `${f.kind} failure in ${f.step}: ${f.message}` : null);
      } catch (e) {
        failures.set(b.job_id, `(the job could not be read: ${e.message})`);
      }
    }));
  }

  stopPolling = every(2000, refresh);
  const stopTicking = tickDurations(main, duration);
  return () => { stopPolling(); stopTicking(); };

  function actions(p) {
    // a submitter cancels its own plans only; an operator any (as the API decides)
    const mine = session.who !== null && p.submitted_by === session.who.name;
    if (p.state !== 'running' || !(session.can('operator') || (session.can('submitter') && mine))) return null;
    if (p.cancel_requested) return h('p', { class: 'count' }, 'Cancellation requested.');
    // Two steps instead of a modal dialog, as on the job page: the first press arms, the second cancels.
    const cancel = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (cancel.dataset.armed !== 'true') {
        cancel.dataset.armed = 'true';
        cancel.textContent = 'Confirm cancel';
        setTimeout(() => { cancel.dataset.armed = 'false'; cancel.textContent = 'Cancel plan'; }, 6000);
        return;
      }
      cancel.disabled = true;
      try { await post(`${url}/cancel`); banner('Cancellation requested.'); } catch (e) { banner(e.message, 'error'); cancel.disabled = false; }
    } }, 'Cancel plan');
    return h('div', { class: 'actions' }, cancel);
  }
}

const wantsFailure = (b) => b.job_id && b.state === 'failed';

function header(p) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '—')];
  const c = p.counts;
  const running = p.state === 'running';
  return [
    h('h1', {}, 'Plan ', p.name ?? h('code', {}, p.id.slice(0, 8)), ' ', h('span', { 'data-testid': 'plan-state' }, planState(p))),
    h('dl', { class: 'summary' },
      p.description ? row('Description', p.description) : null,
      row('Repository', h('code', {}, p.git_repo)),
      row('Ref', p.git_sha ? `${p.git_ref} @ ${p.git_sha}` : p.git_ref),
      row('Submitted by', p.submitted_by),
      row('Submitted', time(p.created_at)),
      row('State', running ? (p.cancel_requested ? 'running (cancel requested)' : 'running') : `ended ${time(p.ended_at)}`),
      row('Result', h('span', { 'data-testid': 'plan-result' }, p.result ? badge(p.result) : 'not yet')),
      // from acceptance: while running it keeps counting from the last answer
      row('Duration', h('span', { 'data-testid': 'plan-duration', dataset: running ? { since: new Date(Date.now() - p.duration_s * 1000).toISOString() } : null }, duration(p.duration_s))),
      row('Builds', h('span', { 'data-testid': 'plan-counts' },
        `${p.builds.length}: ${c.completed} completed, ${c.failed} failed, ${c.running} running, ${c.queued} queued, ${c.cancelled} cancelled, ${c.unsupported} unsupported`))),
  ];
}

/** A build's state in a cell: a link to its job, or the unsupported reason as its tooltip. */
function cellBuild(b) {
  const counts = b.warnings == null ? '' : `: ${b.warnings} warnings, ${b.errors} errors`;
  const title = b.unsupported ?? `${b.name} (${b.path})${counts}${b.reused_from ? ', reused' : ''}`;
  if (!b.job_id) return h('span', { class: 'cell-build', title, 'data-build': b.index }, badge(b.state));
  // warnings and errors of an ended build beside its state ("3 W · 0 E"), spelled out for screen readers
  const diag = b.warnings == null ? null
    : h('small', { class: 'diag', 'data-testid': 'cell-diagnostics', 'aria-label': `${b.warnings} warnings, ${b.errors} errors` }, ` ${b.warnings} W · ${b.errors} E`);
  return h('a', { class: 'cell-build', href: `#/jobs/${encodeURIComponent(b.job_id)}`, title, 'data-build': b.index }, badge(b.state), diag);
}

function matrix(p) {
  const m = planMatrix(p);
  return [
    h('h2', { id: 'matrix-title' }, 'Matrix'),
    h('div', { class: 'scroll' }, h('table', { class: 'grid matrix', 'data-testid': 'matrix' },
      h('caption', {}, 'Each build\'s state by architecture and configuration; a state links to its job'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Architecture'), m.columns.map(c => h('th', { scope: 'col' }, h('code', {}, c.key))))),
      h('tbody', {}, m.rows.map(r => h('tr', {},
        h('th', { scope: 'row' }, r.arch),
        r.cells.map(cell => h('td', { 'data-arch': r.arch, 'data-config': cell.key },
          cell.builds.length === 0 ? h('span', { class: 'none' }, '—') : cell.builds.map(cellBuild)))))))),
  ];
}

function buildList(p, failures) {
  return [
    h('h2', { id: 'builds-title' }, 'Builds'),
    table('Every build of the plan, in the plan file\'s order', [
      { label: 'Path', cell: b => h('code', {}, b.path) },
      { label: 'Name', cell: b => b.name },
      { label: 'State', cell: b => badge(b.state) },
      // the build log's diagnostics, counted as TuxMake counts them ('' until the build ended)
      { label: 'Warnings', cell: b => (b.warnings ?? '') === '' ? '' : h('span', { 'data-testid': 'warnings' }, String(b.warnings)) },
      { label: 'Errors', cell: b => (b.errors ?? '') === '' ? '' : h('span', { 'data-testid': 'errors' }, String(b.errors)) },
      // whole ids: a plan's jobs are created together, so their time-ordered prefixes are alike
      { label: 'Job', cell: b => (b.job_id ? h('a', { href: `#/jobs/${encodeURIComponent(b.job_id)}` }, h('code', { class: 'hash' }, b.job_id)) : '—') },
      // the failure for a failed build (its log, with errors and warnings marked, is on the job's page)
      { label: 'Failure or reason', cell: b => b.unsupported ?? (wantsFailure(b) ? (failures.get(b.job_id) ?? '…') : '') },
    ], p.builds, { rowAttrs: b => ({ 'data-build': b.index }) }),
  ];
}
