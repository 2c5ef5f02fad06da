// A bisection as the bisection page draws it (pure, no DOM): the rounds with the commits each
// tested, the words for windows, verdicts and criteria, and where a commit sits on a bar over the
// whole range. Commits are indexed 0 (the good end) … n (the bad end), as the API gives them.

/** The verdicts a tested commit can have: the API's, "running" for a step not judged yet, "none" for one
 *  that never will be (its job was cancelled when the bisection ended). */
export const VERDICTS = ['good', 'bad', 'skip', 'superseded', 'running', 'none'];

/** A step's verdict as a word: the API's; without one, "running", or "none" once the bisection has ended. */
export const verdictOf = (step, ended = false) => step.verdict ?? (ended ? 'none' : 'running');

/** "1 suspect", "5 suspects". */
export const suspects = (n) => (n === 1 ? '1 suspect' : `${n} suspects`);

/** A window of suspects as text: "commits 17–21", or "commit 4" for one. */
export const span = (w) => (w.count === 1 ? `commit ${w.first}` : `commits ${w.first}–${w.last}`);

/** The first 12 digits of a sha (as git's short ids on a kernel tree). */
export const shortSha = (sha) => (sha ?? '').slice(0, 12);

/**
 * The rounds from a BisectionView: [{round, first, last, count, tested}] where the window is the one
 * left after the round (round 0: the whole range, nothing tested) and tested are the round's steps
 * that build a commit, by index: [{step, index, verdict, role, commit}].
 */
export function narrowing(view) {
  const steps = new Map((view?.steps ?? []).map(s => [s.step, s]));
  const ended = view?.state === 'ended';
  return (view?.rounds ?? []).map(r => ({
    round: r.round,
    first: r.window.first,
    last: r.window.last,
    count: r.window.count,
    tested: r.steps.map(n => steps.get(n)).filter(s => s && s.index != null)
      
      .map(s => ({ step: s.step, index: s.index, verdict: verdictOf(s, ended), role: s.role, commit: s.commit ?? null }))
      .sort((a, b) => a.index - b.index || a.step - b.step),
  }));
}

/** What a round's bar says in words: "Round 2: 5 suspects left, commits 17–21". */
export function roundText(r) {
  if (r.round === 0) return `Round 0: the whole range, ${suspects(r.count)}, ${span(r)}`;
  return `Round ${r.round}: ${suspects(r.count)} left, ${span(r)}`;
}

/** The commits a round tested in words: "#0 good, #7 bad, #4 bad" (by index), or "" for none. */
export const testedText = (r) => r.tested.map(t => `#${t.index} ${t.verdict}`).join(', ');

/**
 * Where things sit on a bar of width w over commits 0 … n (each commit a cell of w / (n + 1)):
 * x(i) is the centre of commit i's cell; window(first, last) is {x, width} covering those cells,
 * never narrower than minWidth (so one suspect of 10,000 commits still shows).
 */
export function scale(n, w, minWidth = 3) {
  const cell = w / (n + 1);
  return {
    x: (i) => (i + 0.5) * cell,
    window(first, last) {
      const width = Math.max(minWidth, (last - first + 1) * cell);
      const centre = ((first + last + 1) / 2) * cell;
      const x = Math.min(Math.max(0, centre - width / 2), w - width);
      return { x, width };
    },
  };
}

/** The criterion in words: "the build fails with an error containing "x"". */
export function criterionText(c) {
  if (!c) return '—';
  const q = (s) => `"${s}"`;
  switch (c.kind) {
    case 'build_fails': return c.match ? `the build fails with an error containing ${q(c.match)}` : 'the build fails';
    case 'diagnostic': return c.match ? `a warning or error containing ${q(c.match)} appears`
      : 'a warning or error appears that the good commit\'s build does not have';
    case 'boot_fails': return 'the kernel does not boot';
    case 'size_grows': return `vmlinux text grows by more than ${(c.threshold_bytes ?? 0).toLocaleString('en')} bytes over the good commit's`;
    default: return String(c.kind);
  }
}

/** The bisection's state or result as one word for its badge: the result once ended, else the state. */
export const stateWord = (b) => (b.state === 'ended' ? (b.result ?? 'ended') : b.state);
