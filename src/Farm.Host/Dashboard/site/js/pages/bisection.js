import { get, post, BISECTIONS } from '../api.js';
import { h, fill, update, tickDurations, table, badge } from '../dom.js';
import { session, every, errorText, banner, navigate } from '../shell.js';
import { duration, time, TERMINAL } from '../format.js';
import {
  VERDICTS, verdictOf, suspects, span, shortSha, narrowing, roundText, testedText, scale, criterionText, stateWord,
} from '../bisect.js';

/** Refreshes after the end while some step's job has not ended yet (a job the end cancelled takes a moment). */
const POLLS_AFTER_END = 30;

/** What an end without a first bad commit means, where the message says no more than its word. */
const NO_RESULT = {
  cancelled: 'The bisection was cancelled: its running builds were cancelled and no more were queued.',
  failed: 'The range could not be listed.',
  ends_wrong: 'The good end fails the criterion, or the bad end passes it, or one of them could not be judged.',
};

/** What each state means, for the header. */
const STATES = {
  listing: 'listing the range',
  checking_ends: 'checking the good and bad ends',
  bisecting: 'bisecting',
};

/**
 * One bisection (GET /api/v1/bisections/<id>): its state or result, the ends and the criterion; the
 * outcome (the first bad commit with the log lines that show the criterion, or the candidates when
 * skipped commits are in the way); the range narrowing round by round (a bar per round over the whole
 * range, the suspects left highlighted, the commits the round tested marked with their verdict, and
 * the same in words); and every step with its job. Refreshed every 2 s until it has ended and so have
 * its steps' jobs (those the end cancelled stop a moment later). Commit subjects and authors come
 * from the repository and log lines from the build: inserted as text (dom.js), never as markup.
 */
export function bisectionPage(main, { match }) {
  const id = decodeURIComponent(match[1]);
  const url = `${BISECTIONS}/${encodeURIComponent(id)}`;
  const head = h('div');
  const actionsBar = h('div');
  const outcomeBox = h('section', { 'aria-labelledby': 'bisect-outcome-title' });
  const roundsBox = h('section', { 'aria-labelledby': 'bisect-rounds-title' });
  const stepsBox = h('section', { 'aria-labelledby': 'bisect-steps-title' });
  fill(main, head, actionsBar, outcomeBox, roundsBox, stepsBox);

  let done = false;
  let afterEnd = 0;
  let stopPolling = null;

  const refresh = async () => {
    if (done) return;
    try {
      const b = await get(url);
      // the header without the duration, which ticks on its own while it runs
      update(head, { ...b, steps: undefined, rounds: undefined, duration_s: b.state === 'ended' ? b.duration_s : undefined }, () => header(b));
      update(actionsBar, { running: b.state !== 'ended', cancel: b.cancel_requested, by: b.submitted_by }, () => actions(b));
      update(outcomeBox, { state: b.state, result: b.result, window: b.window, f: b.first_bad, c: b.candidates, e: b.excerpt, m: b.message, steps: b.steps }, () => outcome(b));
      update(roundsBox, { rounds: b.rounds, steps: b.steps, commits: b.commits }, () => rounds(b));
      update(stepsBox, b.steps, () => stepTable(b));
      // ended, and every step's job too (a step never queued stays pending): nothing changes any more
      const settled = b.steps.every(st => TERMINAL.has(st.state) || st.state === 'pending');
      if (b.state === 'ended' && (settled || ++afterEnd > POLLS_AFTER_END)) { done = true; stopPolling?.(); }
    } catch (e) {
      update(head, { error: e.message }, () => [h('h1', {}, 'Bisection ', h('code', {}, id.slice(0, 8))), errorText(e)]);
      if (e.status === 404 || e.status === 400) { done = true; stopPolling?.(); }
    }
  };
  stopPolling = every(2000, refresh);
  const stopTicking = tickDurations(main, duration);
  return () => { stopPolling(); stopTicking(); };

  function actions(b) {
    // a submitter cancels its own bisections only; an operator any (as the API decides)
    const mine = session.who !== null && b.submitted_by === session.who.name;
    if (b.state === 'ended' || !(session.can('operator') || (session.can('submitter') && mine))) return null;
    if (b.cancel_requested) return h('p', { class: 'count' }, 'Cancellation requested.');
    // Two steps instead of a modal dialog, as on the job and plan pages: the first press arms, the second cancels.
    const cancel = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (cancel.dataset.armed !== 'true') {
        cancel.dataset.armed = 'true';
        cancel.textContent = 'Confirm cancel';
        setTimeout(() => { cancel.dataset.armed = 'false'; cancel.textContent = 'Cancel bisection'; }, 6000);
        return;
      }
      cancel.disabled = true;
      try { await post(`${url}/cancel`); banner('Cancellation requested.'); refresh(); } catch (e) { banner(e.message, 'error'); cancel.disabled = false; }
    } }, 'Cancel bisection');
    return h('div', { class: 'actions' }, cancel);
  }
}

/** A commit in a line: "#4 cba4d0c22aff init: break the build" (the full sha in its title). */
function commitLine(c, { author = false } = {}) {
  if (!c) return '—';
  return h('span', { class: 'commit', title: c.sha },
    h('span', { class: 'idx' }, `#${c.index}`), ' ',
    h('code', { class: 'sha' }, shortSha(c.sha)), ' ',
    h('span', { class: 'subject', 'data-testid': 'commit-subject' }, c.subject),
    author ? h('small', {}, ` ${c.author}`) : null);
}

/** An end as given and, once listed, as resolved: "v6.1 → #0 054d9599a3a2 Linux 6.1". */
function end(given, resolved) {
  const same = resolved && resolved.sha.startsWith(given);
  return [h('code', {}, given), resolved && !same ? [' → ', commitLine(resolved)] : null,
    resolved && same ? [' ', h('span', { class: 'subject' }, resolved.subject)] : null];
}

function header(b) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '—')];
  const running = b.state !== 'ended';
  const word = stateWord(b);
  return [
    h('h1', {}, 'Bisection ', h('code', {}, b.id.slice(0, 8)), ' ', h('span', { 'data-testid': 'bisect-state' }, badge(word))),
    h('dl', { class: 'summary' },
      row('State', h('span', { 'data-testid': 'bisect-state-word' },
        running ? `${STATES[b.state] ?? b.state}${b.cancel_requested ? ' (cancel requested)' : ''} (refreshing)` : `ended ${time(b.ended_at)}`)),
      row('Result', h('span', { 'data-testid': 'bisect-result' }, b.result ? badge(b.result) : 'not yet')),
      b.message ? row('Message', h('span', { 'data-testid': 'bisect-message' }, b.message)) : null,
      row('Repository', [h('code', {}, b.source_repository), ' ', h('small', {}, `branch ${b.branch}`)]),
      row('Good', h('span', { 'data-testid': 'bisect-good' }, end(b.good, b.good_commit))),
      row('Bad', h('span', { 'data-testid': 'bisect-bad' }, end(b.bad, b.bad_commit))),
      row('Range', b.commits == null ? 'not listed yet' : `${b.commits} first-parent commit${b.commits === 1 ? '' : 's'} after the good one (#1 … #${b.commits})`),
      row('Bad means', h('span', { 'data-testid': 'bisect-criterion' }, criterionText(b.criterion))),
      row('Architecture', `${b.target_architecture}${b.toolchain ? ` (${b.toolchain})` : ''}, ${b.build_config?.kernel_config ?? 'defconfig'}`),
      row('Suspects left', b.window ? h('span', { 'data-testid': 'bisect-window' }, `${suspects(b.window.count)}, ${span(b.window)}`) : 'not known yet'),
      row('Builds', h('span', { 'data-testid': 'bisect-builds' }, String(b.builds))),
      row('Builds at once', b.max_parallel == null ? 'the free slots, each round' : String(b.max_parallel)),
      // from acceptance: while running it keeps counting from the last answer
      row('Duration', h('span', { 'data-testid': 'bisect-duration', dataset: running ? { since: new Date(Date.now() - b.duration_s * 1000).toISOString() } : null }, duration(b.duration_s))),
      row('Submitted by', b.submitted_by),
      row('Started', time(b.created_at))),
  ];
}

/** The step that judged a commit bad (its job has the log the excerpt comes from). */
const badStepOf = (b, index) => b.steps.find(s => s.index === index && s.verdict === 'bad');

const jobLink = (s, text) => h('a', { href: `#/jobs/${encodeURIComponent(s.job_id)}` }, text);

function excerpt(lines, label) {
  if (!lines || lines.length === 0) return null;
  return [h('h3', {}, label), h('pre', { class: 'message excerpt', 'data-testid': 'bisect-excerpt' }, lines.join('\n'))];
}

function outcome(b) {
  const title = h('h2', { id: 'bisect-outcome-title' }, 'Outcome');
  if (b.state !== 'ended') {
    return [title, h('p', { 'data-testid': 'bisect-outcome' },
      b.window ? `Not found yet: ${suspects(b.window.count)} left, ${span(b.window)}.` : 'Not found yet: the range is being listed.')];
  }
  if (b.result === 'found' && b.first_bad) {
    const f = b.first_bad;
    const step = badStepOf(b, f.index);
    return [title,
      h('div', { class: 'card outcome found', 'data-testid': 'bisect-first-bad' },
        h('p', { class: 'lead' }, 'The first bad commit is ', h('code', { 'data-testid': 'first-bad-sha' }, f.sha)),
        h('dl', { class: 'summary' },
          h('dt', {}, 'Subject'), h('dd', { 'data-testid': 'first-bad-subject' }, f.subject),
          h('dt', {}, 'Author'), h('dd', { 'data-testid': 'first-bad-author' }, f.author),
          h('dt', {}, 'Position'), h('dd', {}, `#${f.index} of ${b.commits} after the good commit`),
          step ? [h('dt', {}, 'Its build'), h('dd', {}, jobLink(step, [`step ${step.step}: `, h('code', { class: 'hash' }, step.job_id)]))] : null),
        excerpt(b.excerpt, 'The log lines that show it'))];
  }
  if (b.result === 'ambiguous') {
    return [title,
      h('div', { class: 'card outcome ambiguous', 'data-testid': 'bisect-ambiguous' },
        h('p', {}, b.message ?? 'Only skipped commits were left to test.'),
        h('p', {}, `The first bad commit is one of these ${b.candidates.length} (skipped commits could not be judged):`),
        h('ol', { class: 'candidates', 'data-testid': 'bisect-candidates' }, b.candidates.map(c =>
          h('li', { 'data-index': c.index }, commitLine(c, { author: true }), ' ', candidateVerdict(b, c)))),
        excerpt(b.excerpt, 'The log lines at the first commit known to be bad'))];
  }
  // ends_wrong, failed, cancelled: the message says why (a bare "cancelled" gets a sentence)
  const said = b.message && b.message !== b.result ? b.message : (NO_RESULT[b.result] ?? b.message ?? '');
  return [title,
    h('div', { class: `card outcome ${b.result ?? ''}`, 'data-testid': 'bisect-no-result' },
      h('p', {}, badge(b.result ?? 'ended'), ' ', said),
      excerpt(b.excerpt, b.result === 'ends_wrong' ? 'The log lines that show it' : 'The last log lines'))];
}

/** How a candidate was judged: skipped ones and the first known bad. */
function candidateVerdict(b, c) {
  const judged = b.steps.filter(s => s.index === c.index && s.verdict && s.verdict !== 'superseded');
  if (judged.length === 0) return h('small', {}, '(not tested)');
  return judged.map(s => h('small', {}, '(', verdictBadge(s.verdict), s.detail ? ` ${s.detail}` : '', ')'));
}

const verdictBadge = (v) => h('span', { class: `badge v-${v}` }, v);

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * A mark centred on (0, 0). Its shape says the verdict too, so the bar does not speak by colour
 * alone: good a filled circle, bad a square, skip a triangle, superseded a dashed ring, running a ring.
 */
function mark(verdict, r, title) {
  const cls = `mark v-${verdict}`;
  const t = title == null ? [] : [s('title', {}, title)];
  switch (verdict) {
    case 'bad': return s('rect', { class: cls, x: -r, y: -r, width: 2 * r, height: 2 * r }, ...t);
    case 'skip': return s('path', { class: cls, d: `M0,${-r - 1}L${r + 1},${r}L${-r - 1},${r}Z` }, ...t);
    default: return s('circle', { class: cls, cx: 0, cy: 0, r }, ...t);
  }
}

/**
 * A round's bar: the whole range as a track, the window of suspects after the round highlighted, a
 * mark per tested commit. Positions are percentages of the bar's width (no viewBox), so the marks
 * keep their shape at any width.
 */
function bar(r, n) {
  const sc = scale(n, 100, 0.5);
  const w = sc.window(r.first, r.last);
  const pct = (v) => `${v.toFixed(3)}%`;
  const svg = s('svg', { class: 'bisect-bar', height: 28, 'aria-hidden': 'true', focusable: 'false' },
    s('rect', { class: 'track', x: 0, y: 8, width: '100%', height: 12 }),
    s('rect', { class: 'window', x: pct(w.x), y: 4, width: pct(w.width), height: 20, 'data-first': r.first, 'data-last': r.last }));
  for (const t of r.tested) {
    const title = `#${t.index}${t.commit ? ` ${shortSha(t.commit.sha)} ${t.commit.subject}` : ''}: ${t.verdict}`;
    svg.append(s('svg', { x: pct(sc.x(t.index)), y: 14, overflow: 'visible', class: 'at', 'data-index': t.index, 'data-verdict': t.verdict },
      mark(t.verdict, 6, title)));
  }
  return svg;
}

/** What the bars' parts mean: the window, and each verdict (running and none only when some mark is). */
function legend(list) {
  const shown = new Set(list.flatMap(r => r.tested.map(t => t.verdict)));
  return h('ul', { class: 'legend bisect-legend', 'aria-label': 'What the bars show' },
    h('li', {}, swatch('window'), 'suspects left'),
    VERDICTS.filter(v => ['good', 'bad', 'skip', 'superseded'].includes(v) || shown.has(v))
      .map(v => h('li', {}, swatch(v), v === 'none' ? 'none (cancelled at the end)' : v)));
}

function swatch(kind) {
  const svg = s('svg', { viewBox: '-8 -8 16 16', class: 'swatch', 'aria-hidden': 'true', focusable: 'false' });
  svg.append(kind === 'window' ? s('rect', { class: 'window', x: -7, y: -6, width: 14, height: 12 }) : mark(kind, 5, null));
  return svg;
}

function rounds(b) {
  const title = h('h2', { id: 'bisect-rounds-title' }, 'The range narrowing round by round');
  if (b.commits == null || b.rounds.length === 0) return [title, h('p', { class: 'count' }, 'The range is being listed.')];
  const n = b.commits;
  const list = narrowing(b);
  return [title,
    h('p', { class: 'help' }, `Each bar is the whole range, from commit #0 (good) to #${n} (bad). The highlighted part is the suspects left after the round; the marks are the commits the round tested, by verdict.`),
    legend(list),
    h('ol', { class: 'bisect-rounds', 'data-testid': 'bisect-rounds' }, list.map(r =>
      h('li', { 'data-round': r.round, 'data-testid': 'bisect-round' },
        h('div', { class: 'round-text' },
          h('span', { 'data-testid': 'round-summary' }, roundText(r)),
          r.tested.length > 0 ? h('small', { class: 'tested', 'data-testid': 'round-tested' }, `tested ${testedText(r)}`) : null),
        h('div', { class: 'round-bar' },
          bar(r, n),
          h('div', { class: 'axis', 'aria-hidden': 'true' }, h('span', {}, '#0'), h('span', {}, `#${n}`)))))),
  ];
}

function stepTable(b) {
  return [
    h('h2', { id: 'bisect-steps-title' }, 'Steps'),
    h('div', { class: 'scroll' }, table('Every build of the bisection (step 0 lists the range), with its job', [
      { label: 'Step', cell: s => String(s.step), class: 'num' },
      { label: 'Round', cell: s => String(s.round), class: 'num' },
      { label: 'Role', cell: s => h('span', { 'data-testid': 'step-role' }, s.role) },
      { label: 'Commit', cell: s => (s.role === 'list' ? h('small', {}, 'lists the range') : commitLine(s.commit ?? { index: s.index, sha: '', subject: '', author: '' })) },
      { label: 'Job state', cell: s => h('span', { 'data-testid': 'step-state' }, badge(s.state)) },
      { label: 'Verdict', cell: s => stepVerdict(s, b.state === 'ended') },
      { label: 'Duration', cell: s => duration(s.duration_s), class: 'num' },
      { label: 'Server', cell: s => [s.server ?? '—', s.reused ? h('small', {}, ' (reused)') : null] },
      // whole ids: a bisection's jobs are created together, so their time-ordered prefixes are alike
      { label: 'Job', cell: s => jobLink(s, [h('code', { class: 'hash' }, s.job_id), h('span', { class: 'sr-only' }, ` (step ${s.step})`)]) },
    ], b.steps, { empty: 'No steps yet.', rowAttrs: s => ({ 'data-step': s.step }) })),
  ];
}

function stepVerdict(s, ended) {
  if (s.role === 'list') return s.verdict === 'good' ? h('small', { 'data-testid': 'step-detail' }, s.detail ?? '') : [s.verdict ? verdictBadge(s.verdict) : '…', ' ', h('small', {}, s.detail ?? '')];
  const v = verdictOf(s, ended);
  return [
    h('span', { 'data-testid': 'step-verdict' }, verdictBadge(v)),
    s.detail ? [' ', h('small', { 'data-testid': 'step-detail' }, s.detail)] : null,
    s.excerpt?.length > 0 ? h('details', { class: 'excerpt' }, h('summary', {}, 'log lines', h('span', { class: 'sr-only' }, ` of step ${s.step}`)),
      h('pre', { class: 'message' }, s.excerpt.join('\n'))) : null,
  ];
}

/** #/bisections: the API has no list of bisections, so the page opens one by its id. */
export function bisectionsPage(main) {
  const input = h('input', { id: 'bisection-id', name: 'id', size: 40, required: true, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'bisection-id-help' });
  const form = h('form', { class: 'narrow', 'aria-label': 'Open a bisection', onsubmit: (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (value) navigate(`/bisections/${encodeURIComponent(value)}`);
  } },
    h('label', { for: 'bisection-id' }, 'Bisection id'),
    input,
    h('p', { class: 'help', id: 'bisection-id-help' }, 'The id that POST /api/v1/bisections answered with.'),
    h('div', {}, h('button', { type: 'submit' }, 'Open')));
  fill(main, h('h1', {}, 'Bisections'),
    h('p', {}, 'A bisection finds the first commit that breaks the build, adds a warning, fails to boot or grows the kernel. '
      + 'Start one with POST /api/v1/bisections; its page, #/bisections/<id>, follows it round by round. The farm keeps no list of them: open one by its id.'),
    form);
}
