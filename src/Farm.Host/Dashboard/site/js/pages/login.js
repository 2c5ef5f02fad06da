import { post } from '../api.js';
import { h, fill } from '../dom.js';

/** The sign-in form: the same API token the CLI uses; the farm keeps it in an HttpOnly cookie. */
export function loginPage(main, signedIn) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'token-help token-error' });
  const error = h('p', { id: 'token-error', class: 'field-error', 'aria-live': 'assertive' });
  const submit = async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      signedIn(await post('/dashboard/session', { token: input.value }));
    } catch (err) {
      error.textContent = err.message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  };
  fill(main,
    h('h1', {}, 'Sign in'),
    h('form', { class: 'card narrow', onsubmit: submit },
      h('label', { for: 'token' }, 'API token'),
      input,
      h('p', { id: 'token-help', class: 'help' }, 'The bearer token an operator gave you (kfarm uses the same one). Viewers can look, submitters can also submit, cancel and retry, operators can also manage servers and the cluster.'),
      error,
      h('button', { type: 'submit' }, 'Sign in')));
  input.focus();
}
