// Form controls generated from the option table: one labelled, keyboard-operable control per option,
// grouped in fieldsets, each with a "?" button that shows its help in place (touch screens show no
// tooltips; the texts, option_help.js, load on the first press). A value the table refuses is marked invalid with its message and not applied; an
// option without effect in the current state is disabled and says why.

import { OPTIONS, GROUPS, autoValue, check, inactive } from './options.js';

const BY_AUTO = Object.fromEntries(OPTIONS.map((o) => [o.key, Boolean(o.auto)]));

/**
 * Builds the controls for the options passing `filter` into `root`. `prefix` keeps ids unique (run
 * B's controls). `onChange(key, value)` receives checked values only.
 * Returns `set(state)` to show a state without firing `onChange`.
 */
export function buildControls(root, { prefix, filter = () => true, onChange }) {
  const inputs = {};
  const frag = document.createDocumentFragment();
  for (const g of GROUPS) {
    const opts = OPTIONS.filter((o) => o.group === g.key && filter(o));
    if (!opts.length) continue;
    const fs = document.createElement('fieldset');
    fs.dataset.group = g.key;
    const legend = document.createElement('legend');
    legend.textContent = g.label;
    fs.append(legend);
    for (const o of opts) {
      const id = `${prefix}-${o.key}`;
      const wrap = document.createElement('div');
      wrap.className = `control control-${o.type}`;
      wrap.dataset.option = o.key;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = o.label;
      const help = document.createElement('p');
      help.id = `${id}-help`;
      help.className = 'control-help';
      help.hidden = true;
      const ask = document.createElement('button');
      ask.type = 'button';
      ask.className = 'help-toggle';
      ask.textContent = '?';
      ask.setAttribute('aria-label', `About ${o.label}`);
      ask.setAttribute('aria-expanded', 'false');
      ask.setAttribute('aria-controls', help.id);
      ask.addEventListener('click', () => {
        help.hidden = !help.hidden;
        ask.setAttribute('aria-expanded', String(!help.hidden));
        // The help texts load on the first "?" (a first visit does not download them).
        if (!help.textContent) {
          help.textContent = '…';
          import('./option_help.js').then((m) => { help.textContent = m.HELP[o.key]; }, (e) => { help.textContent = `The help could not load: ${e.message}`; });
        }
      });
      const why = document.createElement('span');
      why.className = 'control-why';
      let input;
      if (o.type === 'enum') {
        input = document.createElement('select');
        if (o.auto) input.add(new Option('auto', ''));
        for (const v of o.values) input.add(new Option(v, v));
      } else if (o.type === 'bool') {
        input = document.createElement('input');
        input.type = 'checkbox';
      } else {
        input = document.createElement('input');
        input.type = 'number';
        input.min = String(o.min);
        input.max = String(o.max);
        input.step = o.type === 'int' && !o.step ? '1' : String(o.step ?? 'any');
        input.inputMode = o.type === 'int' ? 'numeric' : 'decimal';
        if (o.auto) input.placeholder = 'auto';
      }
      input.id = id;
      input.name = o.key;
      why.id = `${id}-why`;
      input.setAttribute('aria-describedby', `${id}-msg ${id}-why ${id}-help`);
      const msg = document.createElement('span');
      msg.id = `${id}-msg`;
      msg.className = 'control-msg';
      msg.setAttribute('aria-live', 'polite');
      const apply = () => {
        const raw = o.type === 'bool' ? input.checked : input.value;
        const r = check(o.key, raw);
        if ('error' in r) {
          input.setAttribute('aria-invalid', 'true');
          msg.textContent = r.error;
          return;
        }
        input.removeAttribute('aria-invalid');
        msg.textContent = '';
        onChange(o.key, r.value);
      };
      // Selects and checkboxes apply at once; numbers when committed (Enter or leaving the field),
      // so that typing "0.0" on the way to "0.05" does not restart a run.
      input.addEventListener('change', apply);
      const head = document.createElement('span');
      head.className = 'control-head';
      if (o.type === 'bool') head.append(input, label, ask);
      else head.append(label, ask);
      wrap.append(head);
      if (o.type !== 'bool') wrap.append(input);
      wrap.append(msg, why, help);
      fs.append(wrap);
      inputs[o.key] = { input, why, wrap };
    }
    frag.append(fs);
  }
  root.replaceChildren(frag);
  return function set(state) {
    for (const [key, { input, why, wrap }] of Object.entries(inputs)) {
      const reason = inactive(key, state);
      input.disabled = Boolean(reason);
      why.textContent = reason ?? '';
      if (reason) wrap.title = reason;
      else wrap.removeAttribute('title');
      wrap.classList.toggle('inactive', Boolean(reason));
      const v = state[key];
      // An unset option shows the value the loss uses in its place.
      if (BY_AUTO[key] && !reason) {
        const shown = `auto (${autoValue(key, state)})`;
        if (input.tagName === 'SELECT') input.options[0].text = shown;
        else input.placeholder = shown;
      }
      if (input.type === 'checkbox') input.checked = Boolean(v);
      else if (document.activeElement !== input || input.tagName === 'SELECT') input.value = v === null ? '' : String(v);
      input.removeAttribute('aria-invalid');
      const msg = document.getElementById(`${input.id}-msg`);
      if (msg) msg.textContent = '';
    }
  };
}
