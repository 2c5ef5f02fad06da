import { get, SERVERS } from '../api.js';
import { h, fill } from '../dom.js';
import { every, errorText } from '../shell.js';
import { lineChart, barChart } from '../charts.js';
import { duration } from '../format.js';

/** The farm at a glance: jobs by state, queue depth and slot use over time, durations by architecture, slots per server. */
export function overviewPage(main) {
  const counts = h('div');
  const charts = h('div', { class: 'charts' });
  fill(main, h('h1', {}, 'Overview'), counts, charts);
  return every(5000, async () => {
    try {
      const [stats, servers] = await Promise.all([get('/api/v1/stats'), get(SERVERS)]);
      const by = stats.jobs_by_status ?? {};
      fill(counts, h('ul', { class: 'counts', 'aria-label': 'Jobs by state' },
        // jobs_by_status has every state, in the farm's order
        Object.keys(by).filter(s => by[s] > 0 || ['queued', 'building', 'completed', 'failed'].includes(s)).map(s =>
          h('li', { 'data-status': s }, h('a', { href: `#/jobs?status=${s}` }, h('span', { class: 'n' }, (by[s] ?? 0).toLocaleString('en')), ' ', s)))));
      const samples = stats.history ?? [];
      const at = p => Date.parse(p.at);
      fill(charts,
        lineChart('Queue depth (waiting jobs)', [
          { name: 'waiting', values: samples.map(p => ({ t: at(p), v: p.queue_depth })) },
          { name: 'running', values: samples.map(p => ({ t: at(p), v: p.running_jobs })) },
        ], { format: v => Math.round(v).toString(), minTop: 4, testid: 'chart-queue' }),
        lineChart('Slot utilisation (all servers)', [
          { name: 'slots in use', values: samples.map(p => ({ t: at(p), v: p.slots_total ? (100 * p.slots_in_use) / p.slots_total : 0 })) },
        ], { format: v => `${Math.round(v)} %`, max: 100, testid: 'chart-utilisation' }),
        barChart('Build duration by architecture (completed jobs, last 7 days)',
          (stats.durations ?? []).map(d => ({ label: `${d.architecture} (${d.count})`, values: [d.p50_seconds, d.p90_seconds] })),
          ['p50', 'p90'], { format: duration, testid: 'chart-durations' }),
        barChart('Slots in use per server',
          (servers.servers ?? []).map(s => ({ label: s.id, values: [s.slots_in_use, s.max_concurrent_jobs] })),
          ['in use', 'total'], { testid: 'chart-slots' }));
    } catch (e) {
      fill(charts, errorText(e));
    }
  });
}
