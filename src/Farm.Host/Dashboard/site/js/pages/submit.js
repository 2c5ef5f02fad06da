import { post, JOBS, ApiError } from '../api.js';
import { h, fill } from '../dom.js';
import { session, navigate } from '../shell.js';
import { catalog, defaultArchitecture } from '../catalog.js';

/**
 * Submitting a build: the API's request fields as a form. The farm validates (one set of rules,
 * one set of messages); each error is shown at the field it names and in a summary at the top.
 */
export function submitPage(main) {
  if (!session.can('submitter')) {
    fill(main, h('h1', {}, 'Submit a build'), h('p', {}, `Your role (${session.who.role}) may not submit builds; a submitter or operator token can.`));
    return;
  }
  const summary = h('div', { id: 'form-errors', tabindex: '-1' });
  const fields = [];
  const field = (name, label, input, help) => {
    const id = `f-${name.replace(/[^a-z0-9]+/gi, '-')}`;
    const error = h('p', { id: `${id}-error`, class: 'field-error' });
    input.id = id;
    input.name = name;
    input.dataset.field = name;
    input.setAttribute('aria-describedby', [help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(' '));
    fields.push({ name, input, error });
    return h('div', { class: 'field' }, h('label', { for: id }, label), input, help ? h('p', { id: `${id}-help`, class: 'help' }, help) : null, error);
  };
  const text = (attrs = {}) => h('input', { type: 'text', autocomplete: 'off', spellcheck: false, ...attrs });
  const area = (attrs = {}) => h('textarea', { rows: 3, spellcheck: false, ...attrs });
  const check = (checked) => h('input', { type: 'checkbox', checked });

  // Architectures and targets are the farm's (GET /api/v1/catalog), filled in when it answers.
  const targets = [];
  const targetGroup = h('div', { role: 'group', 'aria-labelledby': 'targets-label', 'data-field': 'build_config.targets' });
  const archSelect = h('select', {});
  const form = h('form', { class: 'card submit', novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('fieldset', {}, h('legend', {}, 'Source'),
      field('source_repository', 'Repository URL', text({ required: true, placeholder: 'git://127.0.0.1:9418/linux-6.1.git' }), 'https, http, git, ssh, file URL or user@host:path'),
      field('branch', 'Branch', text({ value: 'master' })),
      field('commit_hash', 'Commit', text({ value: 'HEAD' }), 'HEAD or a commit sha')),
    h('fieldset', {}, h('legend', {}, 'Target'),
      field('target_architecture', 'Architecture', archSelect),
      field('toolchain', 'Toolchain', text({ placeholder: 'gcc-12, clang-14 (optional)' })),
      field('priority', 'Priority', h('input', { type: 'number', value: '0', min: -1000, max: 1000 }), '−1000 … 1000, higher runs first')),
    h('fieldset', {}, h('legend', {}, 'Build'),
      field('build_config.kernel_config', 'Kernel config', text({ value: 'defconfig' }), 'a *config target (tinyconfig, defconfig) or an in-tree config path'),
      field('build_config.kconfig_fragments', 'Config fragments', area(), 'one per line: CONFIG_X=y, # CONFIG_X is not set, or an in-tree fragment path'),
      field('build_config.extra_make_args', 'Extra make arguments', text({ placeholder: '-j8 W=1' }), 'separated by spaces'),
      field('build_config.make_variables', 'Make variables', area({ placeholder: 'KCFLAGS=-Wno-error' }), 'KEY=VALUE, one per line'),
      h('div', { class: 'field' }, h('span', { class: 'label', id: 'targets-label' }, 'Targets'),
        targetGroup,
        h('p', { class: 'help' }, 'none ticked: config, kernel, modules and dtbs where the architecture has them')),
      field('build_config.custom_env', 'Environment', area({ placeholder: 'KEY=VALUE' }), 'KEY=VALUE, one per line, exported to the build'),
      field('build_config.artifact_patterns', 'Artifact patterns', area({ placeholder: 'arch/*/boot/bzImage' }), 'one glob per line; empty: the defaults'),
      field('build_config.timeout_minutes', 'Time limit (minutes)', h('input', { type: 'number', min: 1, max: 10080 }), 'empty: the farm default'),
      field('build_config.git_depth', 'Clone depth', h('input', { type: 'number', value: '1', min: 0 }), '0: full history'),
      field('build_config.output_directory', 'Output directory', text(), 'empty: the farm\'s artifact storage'),
      field('build_config.container_image', 'Container image', text(), 'empty: on the server itself'),
      field('build_config.ccache', 'Use ccache', check(true)),
      field('build_config.boot_test', 'Boot test in QEMU', check(false)),
      field('build_config.keep_workspace', 'Keep the workspace', check(false))),
    h('button', { type: 'submit' }, 'Submit build'));
  fill(main, h('h1', {}, 'Submit a build'), summary, form);
  catalog().then(c => {
    const chosen = defaultArchitecture(c);
    fill(archSelect, c.architectures.map(a => h('option', { value: a.name, selected: a.name === chosen }, a.name)));
    targets.push(...c.targets.map(t => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'target', value: t.name }), ` ${t.name}`)));
    fill(targetGroup, targets);
  }).catch(e => show([{ field: null, message: `the farm's catalog did not load: ${e.message}` }]));

  async function submit() {
    const { body, errors } = requestFrom(fields, targets);
    if (errors.length > 0) { show(errors); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const job = await post(JOBS, body);
      navigate(`/jobs/${job.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) show(e.fieldErrors, e);
      else show([{ field: null, message: e.message }]);
    } finally {
      button.disabled = false;
    }
  }

  function show(errors, problem) {
    for (const f of fields) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
    const items = errors.map(err => {
      const f = fieldFor(fields, err.field);
      if (f) { f.error.textContent = err.message; f.input.setAttribute('aria-invalid', 'true'); }
      const label = err.field ?? 'request';
      return h('li', {}, f ? h('a', { href: `#${f.input.id}`, onclick: (ev) => { ev.preventDefault(); f.input.focus(); } }, label) : label, `: ${err.message}`);
    });
    fill(summary, h('div', { class: 'banner error', role: 'alert' },
      h('p', {}, problem?.problem?.title ?? 'The build was not submitted'), h('ul', {}, items)));
    summary.focus();
  }
}

/** The input an API error's field belongs to: exact, or its parent for "x[2]" and "x.KEY". */
export function fieldFor(fields, name) {
  if (!name) return null;
  return fields.filter(f => name === f.name || name.startsWith(`${f.name}[`) || name.startsWith(`${f.name}.`))
    .sort((a, b) => b.name.length - a.name.length)[0] ?? null;
}

/** The API request from the form; KEY=VALUE lines that are not get an error naming their field. */
function requestFrom(fields, targets) {
  const errors = [];
  const value = (name) => fields.find(f => f.name === name).input;
  const str = (name) => value(name).value.trim();
  const lines = (name) => value(name).value.split('\n').map(l => l.trim()).filter(l => l.length > 0);
  const map = (name) => {
    const out = {};
    lines(name).forEach((l, i) => {
      const eq = l.indexOf('=');
      if (eq <= 0) errors.push({ field: `${name}[${i}]`, message: `line ${i + 1} is not KEY=VALUE: ${l}` });
      else out[l.slice(0, eq).trim()] = l.slice(eq + 1);
    });
    return out;
  };
  const num = (name) => (str(name) === '' ? undefined : Number(str(name)));
  const config = {
    kernel_config: str('build_config.kernel_config') || undefined,
    kconfig_fragments: lines('build_config.kconfig_fragments'),
    extra_make_args: str('build_config.extra_make_args').split(/\s+/).filter(Boolean),
    make_variables: map('build_config.make_variables'),
    custom_env: map('build_config.custom_env'),
    artifact_patterns: lines('build_config.artifact_patterns'),
    timeout_minutes: num('build_config.timeout_minutes'),
    git_depth: num('build_config.git_depth'),
    output_directory: str('build_config.output_directory') || undefined,
    container_image: str('build_config.container_image') || undefined,
    ccache: value('build_config.ccache').checked,
    boot_test: value('build_config.boot_test').checked,
    keep_workspace: value('build_config.keep_workspace').checked,
  };
  const chosen = targets.map(l => l.querySelector('input')).filter(i => i.checked).map(i => i.value);
  if (chosen.length > 0) config.targets = chosen;
  if (config.artifact_patterns.length === 0) delete config.artifact_patterns;
  const body = {
    source_repository: str('source_repository'),
    branch: str('branch'),
    commit_hash: str('commit_hash'),
    target_architecture: str('target_architecture'),
    toolchain: str('toolchain') || undefined,
    priority: num('priority'),
    build_config: config,
  };
  return { body, errors };
}
