import { get } from '../api.js';
import { h, fill, table, badge } from '../dom.js';
import { every, errorText } from '../shell.js';

/** The cluster as this node sees it: members with status and roles, the leader, where the singletons live. */
export function clusterPage(main) {
  const results = h('div');
  fill(main, h('h1', {}, 'Cluster'), results);
  return every(4000, async () => {
    try {
      const c = await get('/healthz/cluster');
      const here = (address) => [address, address === c.self ? ' (this node)' : '', address === c.leader ? ' (leader)' : ''].join('');
      fill(results,
        h('p', {}, 'This node: ', h('code', {}, c.self), ' ', badge(c.status)),
        table('Members', [
          { label: 'Address', cell: m => here(m.address) },
          { label: 'Status', cell: m => badge(m.status) },
          { label: 'Roles', cell: m => m.roles.join(', ') },
          { label: 'Reachable', cell: m => m.reachable ? 'yes' : h('strong', { class: 'error' }, 'no') },
        ], c.members, { rowAttrs: m => ({ 'data-member': m.address }) }),
        table('Singletons', [
          { label: 'Singleton', cell: ([name]) => name },
          { label: 'Lives on', cell: ([, at]) => at ? here(at) : h('strong', { class: 'error' }, 'nowhere (no Up worker)') },
        ], Object.entries(c.singletons ?? {})));
    } catch (e) {
      fill(results, errorText(e));
    }
  });
}
