// The farm's HTTP API as the dashboard uses it: same-origin fetch with the session cookie, the
// CSRF header on every request, application/problem+json turned into ApiError.

export const JOBS = '/api/v1/infrastructure/build-jobs';
export const SERVERS = '/api/v1/infrastructure/build-servers';
export const PLANS = '/api/v1/plans';
export const SERIES = '/api/v1/series';
export const BISECTIONS = '/api/v1/bisections';
const CSRF = { 'X-KernelFarm-Dashboard': '1' };

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** [{field, message}] from a 400's errors, or the single field a 409/422 names. */
  get fieldErrors() {
    if (Array.isArray(this.problem.errors)) return this.problem.errors;
    return this.problem.field ? [{ field: this.problem.field, message: this.problem.detail ?? '' }] : [];
  }
}

/** Listeners told when the session is gone (401), so the app shows the sign-in form. */
const unauthorized = new Set();
export const onUnauthorized = (fn) => unauthorized.add(fn);

export async function request(method, url, body, { signal } = {}) {
  const headers = { ...CSRF, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, typeof data === 'object' ? data : { detail: data });
    if (res.status === 401 && !url.startsWith('/dashboard/session')) unauthorized.forEach(fn => fn(err));
    throw err;
  }
  return data;
}

export const get = (url, opts) => request('GET', url, undefined, opts);
export const post = (url, body, opts) => request('POST', url, body ?? {}, opts);
export const del = (url, opts) => request('DELETE', url, undefined, opts);

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Parses a text/event-stream incrementally (WHATWG rules: lines end in CR, LF or CRLF; a blank line
 * ends an event; "data:" lines join with LF; one leading space after the colon is dropped).
 * feed(text) returns the events completed so far: [{event, data, id}].
 */
export function sseParser() {
  let buffer = '';
  let event = { event: 'message', data: [], id: null };
  let pendingCR = false;
  return {
    feed(text) {
      const out = [];
      if (pendingCR && text.startsWith('\n')) text = text.slice(1);
      pendingCR = false;
      buffer += text;
      let m;
      while ((m = /\r\n|\r|\n/.exec(buffer)) !== null) {
        if (m[0] === '\r' && m.index === buffer.length - 1) { pendingCR = true; }
        const line = buffer.slice(0, m.index);
        buffer = buffer.slice(m.index + m[0].length);
        if (line === '') {
          if (event.data.length > 0) out.push({ event: event.event, data: event.data.join('\n'), id: event.id });
          event = { event: 'message', data: [], id: event.id };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') event.data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
      return out;
    },
  };
}

/**
 * Follows a job's live log (server-sent events over fetch, so the cookie and CSRF header go along),
 * reconnecting with Last-Event-ID after a drop: onLines(text) gets whole lines, onEnd(end) once.
 * Returns stop().
 */
export function followLog(jobId, { onLines, onEnd, onState }) {
  const controller = new AbortController();
  let lastId = null;
  let ended = false;
  (async () => {
    let delay = 500;
    while (!ended && !controller.signal.aborted) {
      try {
        const headers = { ...CSRF, Accept: 'text/event-stream' };
        if (lastId !== null) headers['Last-Event-ID'] = lastId;
        const res = await fetch(`${JOBS}/${encodeURIComponent(jobId)}/log?follow=true`, { headers, credentials: 'same-origin', signal: controller.signal });
        if (!res.ok) {
          if (res.status === 401) unauthorized.forEach(fn => fn(new ApiError(401, {})));
          throw new ApiError(res.status, await res.json().catch(() => ({})));
        }
        onState?.('live');
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = sseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const ev of parser.feed(value)) {
            if (ev.id !== null) lastId = ev.id;
            if (ev.event === 'log') onLines(ev.data);
            else if (ev.event === 'end') { ended = true; onEnd?.(JSON.parse(ev.data)); }
          }
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.status < 500) { onState?.(`error: ${e.message}`); return; }
      }
      if (!ended && !controller.signal.aborted) {
        onState?.('reconnecting');
        await new Promise(r => setTimeout(r, delay));
        delay = Math.min(delay * 2, 8000);
      }
    }
  })();
  return () => controller.abort();
}
