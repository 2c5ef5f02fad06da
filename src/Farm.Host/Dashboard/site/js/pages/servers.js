import { get, post, SERVERS } from '../api.js';
import { h, fill, update, table, badge } from '../dom.js';
import { session, every, errorText, banner } from '../shell.js';
import { bytes, time } from '../format.js';

/** Build servers: capacity and slots in use, health and last probe, toolchains, caches; drain, undrain, probe. */
export function serversPage(main) {
  const results = h('div');
  fill(main, h('h1', {}, 'Servers'), results);
  const refresh = async () => {
    try {
      const servers = (await get(SERVERS)).servers ?? [];
      update(results, servers, () => table('Build servers', [
        { label: 'Server', cell: s => h('span', {}, h('strong', {}, s.id), h('br'), h('small', {}, `${s.ssh_username}@${s.ip_address}:${s.ssh_port}`)) },
        { label: 'Architectures', cell: s => s.supported_architectures.join(', ') },
        { label: 'Slots', cell: s => slots(s) },
        { label: 'Health', cell: s => h('span', {}, badge(s.draining ? 'draining' : s.health), h('br'),
            h('small', {}, `probed ${time(s.last_probe_at)}`), s.last_probe_error ? h('small', { class: 'error' }, h('br'), s.last_probe_error) : null) },
        { label: 'Toolchains', cell: s => toolchains(s) },
        { label: 'Caches', cell: s => caches(s.caches) },
        { label: 'Actions', cell: s => actions(s, refresh) },
      ], servers, { empty: 'No build servers registered (kfarm servers add).', rowAttrs: s => ({ 'data-server': s.id }) }));
    } catch (e) {
      update(results, { error: e.message }, () => errorText(e));
    }
  };
  return every(4000, refresh);
}

function slots(s) {
  return h('span', {},
    h('meter', { min: 0, max: s.max_concurrent_jobs, value: s.slots_in_use, 'aria-label': `slots in use on ${s.id}` }),
    ` ${s.slots_in_use} of ${s.max_concurrent_jobs}`,
    h('br'), h('small', {}, `${s.total_cpu_cores} cores, ${s.total_memory_mb ? bytes(s.total_memory_mb * 1048576) : '?'} RAM`));
}

/** One entry per compiler and version, with every architecture it builds for (the probe finds native and cross compilers apart). */
export function toolchainList(server) {
  const byName = new Map();
  for (const t of server.detected_toolchains ?? server.toolchains) {
    const key = [t.name, t.version].filter(Boolean).join(' ');
    const archs = byName.get(key) ?? new Set();
    for (const a of t.target_architectures ?? []) archs.add(a);
    byName.set(key, archs);
  }
  return [...byName].map(([key, archs]) => (archs.size ? `${key} (${[...archs].join(', ')})` : key));
}

function toolchains(s) {
  const names = toolchainList(s);
  return h('span', {}, names.join('; ') || '—',
    s.missing_toolchains?.length ? h('small', { class: 'error' }, h('br'), `missing: ${s.missing_toolchains.map(t => t.name ?? t).join(', ')}`) : null);
}

function caches(c) {
  if (!c) return '—';
  return h('span', {}, `git ${bytes(c.git_bytes)} of ${bytes(c.git_limit_bytes)}`, h('br'), `ccache ${bytes(c.ccache_bytes)} of ${bytes(c.ccache_limit_bytes)}`);
}

function actions(s, refresh) {
  if (!session.can('operator')) return '—';
  const act = (label, path, done) => h('button', { type: 'button', 'aria-label': `${label} ${s.id}`, onclick: async (e) => {
    e.target.disabled = true;
    try { await post(`${SERVERS}/${encodeURIComponent(s.id)}/${path}`); banner(done); await refresh(); }
    catch (err) { banner(err.message, 'error'); e.target.disabled = false; }
  } }, label);
  return h('span', { class: 'actions' },
    s.draining ? act('Undrain', 'undrain', `${s.id} takes jobs again.`) : act('Drain', 'drain', `${s.id} takes no new jobs; running ones finish.`),
    act('Probe', 'probe', `${s.id} probed.`));
}
