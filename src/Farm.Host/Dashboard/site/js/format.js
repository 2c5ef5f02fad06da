// Pure formatting helpers (no DOM).

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** 75.2 → "1 min 15 s"; 3700 → "1 h 1 min". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The time of day only: "18:10:02". */
export const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—');

/** The states after which a job never changes: decided on every render, before the catalog has
 *  answered, so kept here; DashboardScriptTests holds it to the farm's own final states. */
export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Seconds a job has run (or ran): from its first state after queued to its end, or to now. */
export function jobDuration(job, now = Date.now()) {
  const t = job.transitions ?? [];
  const start = t.find(x => x.status !== 'queued');
  if (!start) return null;
  const end = TERMINAL.has(job.status) ? t[t.length - 1] : null;
  return ((end ? Date.parse(end.at) : now) - Date.parse(start.at)) / 1000;
}

/** When a job that is still running started (its first state after queued), else null. */
export function runningSince(job) {
  const start = (job.transitions ?? []).find(t => t.status !== 'queued');
  return start && !TERMINAL.has(job.status) ? start.at : null;
}

/**
 * The step timeline of a job from its transitions: [{status, start, seconds, current}] where a
 * step lasts until the next transition; the last one of a running job is current (to now).
 */
export function steps(job, now = Date.now()) {
  const t = job.transitions ?? [];
  return t.map((x, i) => {
    const start = Date.parse(x.at);
    const next = t[i + 1];
    const terminal = TERMINAL.has(x.status);
    const end = next ? Date.parse(next.at) : (terminal ? start : now);
    return { status: x.status, start: x.at, seconds: (end - start) / 1000, current: !next && !terminal };
  });
}

/** A size change in bytes with its sign: 120 → "+120 B", -8 → "−8 B", 0 → "0 B". */
export function signedBytes(n) {
  if (n === null || n === undefined) return '—';
  const digits = Math.abs(n).toLocaleString('en');
  return `${n > 0 ? '+' : n < 0 ? '−' : ''}${digits} B`;
}

/** A series diagnostic as the plain-text report writes it: "file:line: message [option]". */
export function describeDiagnostic(d) {
  const where = d.line > 0 ? `${d.file}:${d.line}: ` : d.file ? `${d.file}: ` : '';
  return `${where}${d.message}${d.option ? ` [${d.option}]` : ''}`;
}

/** A series step's label as the plain-text report writes it: "[base]", "[2/5]". */
export const stepLabel = (step, patches) => (step.step === 0 ? '[base]' : `[${step.step}/${patches ?? '?'}]`);
