import { get, JOBS, SERIES } from '../api.js';
import { h, fill, update, table, badge } from '../dom.js';
import { every, errorText } from '../shell.js';
import { duration, time, signedBytes, describeDiagnostic, stepLabel } from '../format.js';

/**
 * One patch series (docs/series.md): its result, a row per step (the base, then each patch) with
 * its state, build time, warnings new and fixed, size delta, configuration and boot, and a link to
 * the step's log; below, what each patch changed: the warnings and errors it added (+) and fixed
 * (−), a failed step's first errors, the biggest symbol size changes and the configuration
 * changes. Refreshed every 2 s while the series runs. Subjects, authors and compiler messages come
 * from the patches and the build: they are inserted as text (dom.js), never as markup.
 */
export function seriesPage(main, { match }) {
  const id = decodeURIComponent(match[1]);
  const url = `${SERIES}/${encodeURIComponent(id)}/report`;
  const head = h('div');
  const stepsBox = h('section', { 'aria-labelledby': 'series-steps-title' });
  const changesBox = h('section', { 'aria-labelledby': 'series-changes-title' });
  const textBox = h('div'); // the plain-text summary, once the series is known
  fill(main, head, stepsBox, changesBox, textBox);

  let job = null; // the series' job: repository, base, who submitted (read once)
  let done = false;
  let stopPolling = null;

  const refresh = async () => {
    if (done) return;
    try {
      const report = await get(url);
      if (job === null) job = await get(`${JOBS}/${encodeURIComponent(id)}`).catch(() => ({}));
      update(head, { report: { ...report, steps: undefined }, job, states: report.steps.map(s => s.state) }, () => header(report, job));
      update(stepsBox, report.steps, () => stepTable(report));
      update(changesBox, report.steps, () => changes(report));
      update(textBox, true, () => textSummary(id));
      if (report.result !== 'running') { done = true; stopPolling?.(); }
    } catch (e) {
      update(head, { error: e.message }, () => [h('h1', {}, 'Series ', h('code', {}, id.slice(0, 8))), errorText(e)]);
      if (e.status === 404) { done = true; stopPolling?.(); }
    }
  };
  stopPolling = every(2000, refresh);
  return () => stopPolling();
}

function header(r, job) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '—')];
  const n = r.patches;
  const counts = {};
  for (const s of r.steps) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return [
    h('h1', {}, 'Series ', h('code', {}, r.id.slice(0, 8)), ' ', h('span', { 'data-testid': 'series-result' }, badge(r.result))),
    h('dl', { class: 'summary' },
      row('Result', h('span', { 'data-testid': 'series-result-word' }, r.result === 'running' ? 'running (refreshing)' : r.result)),
      row('Job status', h('span', { 'data-testid': 'series-status' }, badge(r.status))),
      row('Patches', n == null ? 'not known yet' : String(n)),
      row('Steps', h('span', { 'data-testid': 'series-counts' },
        Object.entries(counts).map(([state, c]) => `${c} ${state}`).join(', '))),
      job?.source_repository ? row('Repository', h('code', {}, job.source_repository)) : null,
      job?.branch ? row('Base', `${job.branch} @ ${job.commit_hash}`) : null,
      job?.series?.range ? row('Range', h('code', {}, job.series.range)) : null,
      job?.target_architecture ? row('Architecture', `${job.target_architecture}${job.toolchain ? ` (${job.toolchain})` : ''}`) : null,
      job?.series ? row('After a failed build', job.series.continue_on_failure ? 'the next patch is built' : 'the rest are skipped') : null,
      job?.submitted_by ? row('Submitted by', job.submitted_by) : null,
      job?.created_at ? row('Submitted', time(job.created_at)) : null,
      row('Job', h('a', { href: `#/jobs/${encodeURIComponent(r.id)}`, 'data-testid': 'series-job' }, h('code', { class: 'hash' }, r.id)))),
  ];
}

/** The step's log, an artifact of the series' job (published when the job ends). */
const logLink = (r, s) => (s.log
  ? h('a', { href: `${JOBS}/${encodeURIComponent(r.id)}/artifacts/${s.log.split('/').map(encodeURIComponent).join('/')}`, 'data-testid': 'step-log' },
    'log', h('span', { class: 'sr-only' }, ` of ${stepLabel(s, r.patches)}`))
  : '—');

function warningsCell(s) {
  if (s.warnings == null) return '—';
  if (s.step === 0) return h('span', { 'data-testid': 'step-warnings' }, `${s.warnings} W · ${s.errors ?? 0} E`);
  const nw = s.new_warnings.length; const fw = s.fixed_warnings.length;
  const ne = s.new_errors.length; const fe = s.fixed_errors.length;
  const said = [`${nw} new and ${fw} fixed warnings`, ne || fe ? `${ne} new and ${fe} fixed errors` : null, `${s.warnings} warnings in all`].filter(Boolean).join(', ');
  return h('span', { 'data-testid': 'step-warnings', title: said },
    h('span', { 'aria-hidden': 'true' }, `+${nw} −${fw}`, ' ', h('small', {}, `(${s.warnings} in all)`), ne || fe ? h('br') : null, ne || fe ? `errors +${ne} −${fe}` : null),
    h('span', { class: 'sr-only' }, said));
}

/** Seconds of a step that ran; nothing for one that did not. */
const buildTime = (s) => (s.seconds == null || ['pending', 'skipped'].includes(s.state) ? '—' : duration(s.seconds));

function sizeCell(s) {
  if (s.step === 0 || !s.size_delta) return s.size ? h('small', {}, `${total(s.size).toLocaleString('en')} B in all`) : '—';
  const d = s.size_delta;
  return h('span', { 'data-testid': 'step-size', title: `text ${signedBytes(d.text)}, data ${signedBytes(d.data)}, bss ${signedBytes(d.bss)}` }, signedBytes(total(d)));
}

function configCell(s) {
  const c = s.config;
  if (!c) return '—';
  const n = c.added.length + c.removed.length + c.changed.length;
  return n === 0 ? 'unchanged' : h('span', { 'data-testid': 'step-config' }, `${n} changed`);
}

const bootCell = (s) => (s.boot
  ? h('span', { title: s.boot.reason ?? null }, badge(s.boot.status), ` ${duration(s.boot.duration_s)}`, s.boot.reason ? h('small', {}, ` ${s.boot.reason}`) : null)
  : '—');

function stepTable(r) {
  const withBoot = r.steps.some(s => s.boot);
  const columns = [
    { label: 'Step', cell: s => h('span', { 'data-testid': 'step-label' }, stepLabel(s, r.patches)) },
    { label: 'Subject', cell: s => h('span', { 'data-testid': 'step-subject' }, s.subject) },
    { label: 'Author', cell: s => s.author ?? '—' },
    { label: 'State', cell: s => h('span', { 'data-testid': 'step-state' }, badge(s.state)) },
    { label: 'Build time', cell: buildTime, class: 'num' },
    { label: '± Warnings', cell: warningsCell },
    { label: 'Size delta', cell: sizeCell, class: 'num' },
    { label: 'Config', cell: configCell },
    withBoot ? { label: 'Boot', cell: bootCell } : null,
    { label: 'Log', cell: s => logLink(r, s) },
  ].filter(Boolean);
  return [
    h('h2', { id: 'series-steps-title' }, 'Steps'),
    h('div', { class: 'scroll' }, table('The base, then each patch built on the one before it', columns, r.steps,
      { empty: 'No steps yet.', rowAttrs: s => ({ 'data-step': s.step }) })),
  ];
}

const total = (x) => x.text + x.data + x.bss;
const key = (d) => JSON.stringify([d.file, d.line, d.severity, d.option, d.message]);

function hasChanges(s) {
  return s.first_errors.length > 0 || s.new_warnings.length > 0 || s.fixed_warnings.length > 0 || s.new_errors.length > 0
    || s.fixed_errors.length > 0 || (s.step > 0 && s.size_delta && total(s.size_delta) !== 0) || s.bloat.length > 0
    || (s.config && s.config.added.length + s.config.removed.length + s.config.changed.length > 0) || s.boot?.status === 'fail';
}

function changes(r) {
  const steps = r.steps.filter(hasChanges);
  return [
    h('h2', { id: 'series-changes-title' }, 'What each patch changed'),
    steps.length === 0
      ? h('p', { class: 'count' }, r.result === 'running' ? 'Nothing yet.' : 'No patch changed warnings, errors, size or configuration.')
      : steps.map(s => stepChanges(r, s)),
  ];
}

function stepChanges(r, s) {
  const title = `series-step-${s.step}`;
  const firstErrors = new Set(s.first_errors.map(key));
  // new in red with "+", fixed in green with "−"; the sign and a word for screen readers, never colour alone
  const diff = [
    ...s.new_errors.filter(d => !firstErrors.has(key(d))).map(d => ['new', 'error', d]),
    ...s.fixed_errors.map(d => ['fixed', 'error', d]),
    ...s.new_warnings.map(d => ['new', 'warning', d]),
    ...s.fixed_warnings.map(d => ['fixed', 'warning', d]),
  ];
  const c = s.config;
  const configRows = c ? [
    ...c.added.map(o => ({ name: o.name, before: null, after: o.value })),
    ...c.removed.map(o => ({ name: o.name, before: o.value, after: null })),
    ...c.changed.map(o => ({ name: o.name, before: o.old, after: o.new })),
  ] : [];
  const d = s.step > 0 ? s.size_delta : null;
  return h('section', { class: 'card series-step', 'aria-labelledby': title, 'data-step': s.step },
    h('h3', { id: title }, `${stepLabel(s, r.patches)} `, s.subject, ' ', badge(s.state)),
    s.first_errors.length > 0 ? [
      h('h4', {}, 'First errors'),
      h('ul', { class: 'diff', 'data-testid': 'first-errors' }, s.first_errors.map(e =>
        h('li', { class: 'new' }, h('span', { class: 'sr-only' }, 'error: '), h('code', {}, describeDiagnostic(e))))),
    ] : null,
    diff.length > 0 ? [
      h('h4', {}, 'Warnings and errors'),
      h('ul', { class: 'diff', 'data-testid': 'diagnostics-diff' }, diff.map(([kind, severity, x]) =>
        h('li', { class: kind, 'data-kind': `${kind}-${severity}` },
          h('span', { class: 'sign', 'aria-hidden': 'true' }, kind === 'new' ? '+' : '−'),
          h('span', { class: 'sr-only' }, `${kind} ${severity}: `),
          severity === 'error' ? h('span', { 'aria-hidden': 'true' }, 'error: ') : null,
          h('code', {}, describeDiagnostic(x))))),
    ] : null,
    d && total(d) !== 0 ? [
      h('h4', {}, 'Size'),
      h('p', { 'data-testid': 'size-delta' }, `vmlinux ${signedBytes(total(d))}: text ${signedBytes(d.text)}, data ${signedBytes(d.data)}, bss ${signedBytes(d.bss)}`),
    ] : null,
    s.bloat.length > 0 ? table('Biggest symbol changes (scripts/bloat-o-meter)', [
      { label: 'Symbol', cell: b => h('code', {}, b.symbol) },
      { label: 'Before', cell: b => (b.old == null ? '—' : b.old.toLocaleString('en')), class: 'num' },
      { label: 'After', cell: b => (b.new == null ? '—' : b.new.toLocaleString('en')), class: 'num' },
      { label: 'Delta', cell: b => signedBytes(b.delta), class: 'num' },
    ], s.bloat) : null,
    configRows.length > 0 ? table('Configuration changes (the final .config against the step before)', [
      { label: 'Option', cell: o => h('code', {}, o.name) },
      { label: 'Before', cell: o => (o.before == null ? h('small', {}, 'not set') : h('code', {}, o.before)) },
      { label: 'After', cell: o => (o.after == null ? h('small', {}, 'not set') : h('code', {}, o.after)) },
    ], configRows) : null,
    s.boot?.status === 'fail' ? h('p', {}, 'Boot failed', s.boot.reason ? `: ${s.boot.reason}` : '') : null);
}

/** The plain-text summary a maintainer pastes into a reply: a link to it, and the text itself on demand. */
function textSummary(id) {
  const href = `${SERIES}/${encodeURIComponent(id)}/report?format=text`;
  const pre = h('pre', { class: 'json', 'data-testid': 'series-text' });
  const details = h('details', { class: 'card' },
    h('summary', {}, 'Plain-text summary, to paste into a reply'),
    h('p', {}, h('a', { href, 'data-testid': 'series-text-link' }, 'Open the plain-text summary')),
    pre);
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    pre.textContent = 'Loading…';
    try { pre.textContent = await get(href); } catch (e) { fill(pre, errorText(e)); }
  });
  return h('section', { 'aria-label': 'Plain-text summary' }, details);
}
