import { get, post, JOBS, followLog } from '../api.js';
import { h, fill, update, tickDurations, table, badge } from '../dom.js';
import { session, every, errorText, navigate, banner } from '../shell.js';
import { bytes, duration, time, clock, steps, jobDuration, runningSince, TERMINAL } from '../format.js';
import { LogView } from '../logview.js';

/**
 * One job: status and actions, the step timeline (the current step's time moving), failure,
 * artifacts with sizes, sha256 and download links, attempts, the request, and the live log.
 */
export function jobPage(main, { match }) {
  const id = decodeURIComponent(match[1]);
  const url = `${JOBS}/${encodeURIComponent(id)}`;
  const head = h('div');
  const body = h('div');
  const log = new LogView();
  const logState = h('p', { class: 'count', 'data-testid': 'log-state', 'aria-live': 'polite' });
  fill(main, head, body, log.element, logState);

  let job = null;
  let stopLog = null;
  let ended = false;

  // Re-rendered only when the job changed (the actions only when cancel/retry availability did), so
  // focus and a half-pressed cancel survive the polling; running times tick on their own.
  const render = () => {
    update(head, { status: job.status, terminal: TERMINAL.has(job.status) }, () => [
      h('h1', {}, 'Job ', h('code', {}, id.slice(0, 8)), ' ', h('span', { 'data-testid': 'job-status' }, badge(job.status))),
      actionsBar]);
    update(actionsBar, TERMINAL.has(job.status), () => actions(job));
    update(body, job, () => [
      summary(job),
      timeline(job),
      job.failure ? failure(job.failure) : null,
      artifacts(job, url),
      attempts(job),
      request(job)]);
  };
  const actionsBar = h('div');

  const refresh = async () => {
    if (ended) return;
    try {
      job = await get(url);
      render();
      if (!stopLog) stopLog = followLog(id, {
        // A step marker in the log is the job moving on: show its new state now, not at the next poll.
        onLines: t => { log.appendLines(t); if (t.includes('==> kfarm: step')) refresh(); },
        onEnd: e => { logState.textContent = `Log complete (${e.status}).`; },
        onState: s => { logState.textContent = s === 'live' ? 'Following the live log.' : `Log: ${s}`; },
      });
      if (TERMINAL.has(job.status)) ended = true;
    } catch (e) {
      update(body, { error: e.message }, () => errorText(e));
      if (e.status === 404) ended = true;
    }
  };
  const stopPolling = every(1500, refresh);
  const stopTicking = tickDurations(main, duration);
  return () => { stopPolling(); stopTicking(); stopLog?.(); };

  function actions(j) {
    const bar = h('div', { class: 'actions' });
    // a submitter cancels and retries its own jobs only (docs/limits.md); an operator any
    const mine = session.who !== null && j.submitted_by === session.who.name;
    if (!(session.can('operator') || (session.can('submitter') && mine))) return null;
    if (!TERMINAL.has(j.status)) {
      // Two steps instead of a modal dialog: the first press arms, the second cancels.
      const cancel = h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (cancel.dataset.armed !== 'true') {
          cancel.dataset.armed = 'true';
          cancel.textContent = 'Confirm cancel';
          setTimeout(() => { cancel.dataset.armed = 'false'; cancel.textContent = 'Cancel build'; }, 6000);
          return;
        }
        cancel.disabled = true;
        try { await post(`${url}/cancel`); banner('Cancellation requested.'); } catch (e) { banner(e.message, 'error'); cancel.disabled = false; }
      } }, 'Cancel build');
      bar.append(cancel);
    } else {
      bar.append(h('button', { type: 'button', onclick: async () => {
        try { const next = await post(`${url}/retry`); navigate(`/jobs/${next.id}`); } catch (e) { banner(e.message, 'error'); }
      } }, 'Retry as a new job'));
    }
    return bar;
  }
}

function summary(j) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '—')];
  return h('dl', { class: 'summary' },
    row('Repository', h('code', {}, j.source_repository)),
    row('Branch / commit', `${j.branch} @ ${j.commit_hash}`),
    row('Architecture', j.target_architecture),
    row('Toolchain', j.toolchain),
    // a patch series' job: its per-patch report is the series page
    j.series ? row('Patch series', [h('a', { href: `#/series/${encodeURIComponent(j.id)}`, 'data-testid': 'job-series' }, 'Per-patch report'),
      ` (${j.series.range ? `range ${j.series.range}` : 'patches from an mbox'}${j.series.continue_on_failure ? ', going on after a failed build' : ''})`]) : null,
    row('Server', j.server_id),
    row('Submitted by', j.submitted_by),
    row('Submitted', time(j.created_at)),
    row('Duration', h('span', { 'data-testid': 'job-duration', dataset: runningSince(j) ? { since: runningSince(j) } : null }, duration(jobDuration(j)))),
    j.boot ? row('Boot test', `${j.boot.status} (${duration(j.boot.duration_s)})${j.boot.reason ? `: ${j.boot.reason}` : ''}`) : null,
    j.warnings == null ? null : row('Warnings / errors', h('span', { 'data-testid': 'job-diagnostics' }, `${j.warnings} / ${j.errors}`)),
    // a job completed from an identical build's result (docs/reuse.md): that build is where its log and timings are
    j.reused_from ? row('Result of', h('a', { href: `#/jobs/${encodeURIComponent(j.reused_from)}`, 'data-testid': 'job-reused-from' }, h('code', { class: 'hash' }, j.reused_from))) : null);
}

function timeline(j) {
  const list = steps(j);
  const total = Math.max(1, list.reduce((a, s) => a + s.seconds, 0));
  return h('section', { 'aria-labelledby': 'steps-title' },
    h('h2', { id: 'steps-title' }, 'Steps'),
    h('ol', { class: 'timeline', 'data-testid': 'timeline' }, list.map(s =>
      h('li', { class: s.current ? 'current' : '', 'aria-current': s.current ? 'step' : null },
        h('span', { class: 'step-name' }, s.status),
        h('span', { class: 'step-bar' }, widthOf(h('span', { class: `fill s-${s.status}` }), s.seconds / total)),
        h('span', { class: 'step-time', dataset: s.current ? { since: s.start, suffix: ' so far' } : null },
          TERMINAL.has(s.status) ? `at ${clock(s.start)}` : duration(s.seconds) + (s.current ? ' so far' : ''))))));
}

/** CSSOM, not a style attribute: the content security policy forbids inline styles. */
function widthOf(el, fraction) {
  el.style.width = `${Math.max(0.5, Math.min(100, fraction * 100)).toFixed(1)}%`;
  return el;
}

function failure(f) {
  return h('section', { class: 'card error-box', role: 'alert', 'aria-labelledby': 'failure-title' },
    h('h2', { id: 'failure-title' }, 'Failure'),
    h('p', {}, `${f.kind} failure in ${f.step}${f.exit_code !== null && f.exit_code !== undefined ? ` (exit code ${f.exit_code})` : ''}`),
    h('pre', { class: 'message' }, f.message));
}

function artifacts(j, url) {
  const link = a => `${url}/artifacts/${a.path.split('/').map(encodeURIComponent).join('/')}`;
  return h('section', { 'aria-labelledby': 'artifacts-title' },
    h('h2', { id: 'artifacts-title' }, 'Artifacts'),
    table(j.artifact_directory ? `In ${j.artifact_directory}` : 'Published when the job completes', [
      { label: 'File', cell: a => h('a', { href: link(a), download: a.path.split('/').pop() }, a.path) },
      { label: 'Size', cell: a => bytes(a.size), class: 'num' },
      { label: 'SHA-256', cell: a => h('code', { class: 'hash' }, a.sha256) },
    ], j.artifacts ?? [], { empty: TERMINAL.has(j.status) ? 'No artifacts.' : 'Not yet.' }));
}

function attempts(j) {
  return h('section', { 'aria-labelledby': 'attempts-title' },
    h('h2', { id: 'attempts-title' }, 'Attempts'),
    table('Each try on a server', [
      { label: '#', cell: a => a.attempt, class: 'num' },
      { label: 'Server', cell: a => a.server_id },
      { label: 'Started', cell: a => time(a.started_at) },
      { label: 'Ended', cell: a => time(a.ended_at) },
      { label: 'Failure', cell: a => a.failure ? `${a.failure.kind}: ${a.failure.message}` : '—' },
    ], j.attempts ?? [], { empty: 'Not placed yet.' }));
}

function request(j) {
  return h('details', { class: 'card' },
    h('summary', {}, 'Request and build configuration'),
    h('pre', { class: 'json' }, JSON.stringify({
      source_repository: j.source_repository, branch: j.branch, commit_hash: j.commit_hash,
      target_architecture: j.target_architecture, toolchain: j.toolchain, priority: j.priority, build_config: j.build_config,
      ...(j.series ? { series: j.series } : {}),
    }, null, 2)));
}
