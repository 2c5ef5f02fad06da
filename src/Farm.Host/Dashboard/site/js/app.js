// The dashboard's shell: sign-in, the hash router (#/jobs/…), and each page's live updates.
import { get, onUnauthorized, del } from './api.js';
import { h, fill } from './dom.js';
import { session, currentRoute, banner } from './shell.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { jobsPage } from './pages/jobs.js';
import { jobPage } from './pages/job.js';
import { plansPage } from './pages/plans.js';
import { planPage } from './pages/plan.js';
import { seriesPage } from './pages/series.js';
import { bisectionPage, bisectionsPage } from './pages/bisection.js';
import { submitPage } from './pages/submit.js';
import { serversPage } from './pages/servers.js';
import { clusterPage } from './pages/cluster.js';

const routes = [
  [/^\/?$/, () => overviewPage],
  [/^\/jobs\/?$/, () => jobsPage],
  [/^\/jobs\/([^/]+)$/, () => jobPage],
  [/^\/plans\/?$/, () => plansPage],
  [/^\/plans\/([^/]+)$/, () => planPage],
  [/^\/series\/([^/]+)$/, () => seriesPage],
  [/^\/bisections\/?$/, () => bisectionsPage],
  [/^\/bisections\/([^/]+)$/, () => bisectionPage],
  [/^\/submit$/, () => submitPage],
  [/^\/servers$/, () => serversPage],
  [/^\/cluster$/, () => clusterPage],
];

let disposeCurrent = () => {};

async function render({ focus = true } = {}) {
  disposeCurrent();
  disposeCurrent = () => {};
  const main = document.getElementById('main');
  if (session.who === null) { renderWho(); disposeCurrent = loginPage(main, signedIn) ?? (() => {}); return; }
  const { path, params } = currentRoute();
  for (const a of document.querySelectorAll('#nav a')) {
    const target = a.getAttribute('href').slice(1);
    const active = target === '/' ? path === '/' || path === '' : path.startsWith(target);
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const route = routes.find(([re]) => re.test(path));
  if (!route) { fill(main, h('h1', {}, 'Not found'), h('p', {}, `No page at ${path}.`)); return; }
  const match = path.match(route[0]);
  fill(main);
  disposeCurrent = route[1]()(main, { params, match }) ?? (() => {});
  // After a navigation inside the page, a screen reader starts at the new content; on first load
  // focus stays at the top, where the skip link is.
  if (focus) main.focus({ preventScroll: true });
}

function renderWho() {
  const who = document.getElementById('who');
  if (session.who === null) { fill(who); return; }
  fill(who, h('span', { 'data-testid': 'who' }, `${session.who.name} (${session.who.role})`),
    session.who.auth_disabled ? h('strong', { class: 'warn' }, ' auth disabled') : null,
    session.who.auth_disabled ? null : h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'));
}

async function signOut() {
  await del('/dashboard/session').catch(() => {});
  session.who = null;
  render();
}

function signedIn(who) {
  session.who = who;
  renderWho();
  render();
}

onUnauthorized(() => {
  if (session.who === null) return;
  session.who = null;
  banner('Your session ended (the token is no longer valid). Sign in again.', 'error');
  render();
});

window.addEventListener('hashchange', () => { banner(''); render(); });
// The skip link must not change the hash (the router owns it): it moves focus instead.
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});

(async () => {
  try {
    const s = await get('/dashboard/session');
    session.who = s.signed_in ? s : null;
  } catch (e) {
    banner(`The farm did not answer: ${e.message}`, 'error');
  }
  renderWho();
  render({ focus: false });
})();

