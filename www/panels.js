// The explanation panels below the runs: the loss as MathML with its gradient inspector, the
// exported code with its ARIA tabs and Copy button, and the check of the visitor's own tensors. Their modules (formula.js, codegen.js, ~14 KB
// gzipped) are fetched when a panel first comes within 600 px of the screen: an embed never shows
// them, and a first visit does not download them.

import { lossConfig } from './options.js';

const $ = (id) => document.getElementById(id);

/** Calls `load()` once `el` comes near the screen; a failure goes to `onError(what, error)`. */
export function whenNear(el, what, load, onError) {
  new IntersectionObserver((entries, observer) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    load().catch((e) => onError(what, e));
  }, { rootMargin: '600px' }).observe(el);
}

/**
 * Sets up both panels; `refresh(state)` redraws them for a state's loss options (a no-op for a
 * panel whose module has not loaded yet: it draws the latest state when it does).
 */
export function explanationPanels(onError) {
  let formula = null;
  let codegen = null;
  let codeLang = 'numpy';
  let state = null;

  const showFormula = () => {
    if (!formula || !state) return;
    $('formula').innerHTML = formula.formulaMathML(state);
    $('formula-note').textContent = formula.formulaNote(state);
    const applies = formula.inspectorApplies(state);
    $('inspector-box').hidden = !applies;
    $('inspector-none').hidden = applies;
    $('inspector-none').textContent = applies ? '' : formula.inspectorNone(state);
    if (applies) formula.drawInspector($('inspector'), state, Number($('region').value));
  };
  const showCode = () => {
    // The snippet links to the full page (an embed's too) with this configuration.
    if (codegen && state) $('code').textContent = codegen.generate(codeLang, lossConfig(state), new URL('./', location.href).href);
  };

  /** The code tabs, as the ARIA tabs pattern asks: one tab stop, arrow keys, Home and End. */
  const codeTabs = () => {
    const root = $('code-tabs');
    const select = (b) => {
      codeLang = b.dataset.lang;
      for (const x of root.querySelectorAll('[role="tab"]')) {
        x.setAttribute('aria-selected', String(x === b));
        x.tabIndex = x === b ? 0 : -1;
      }
      $('code-panel').setAttribute('aria-labelledby', b.id);
      showCode();
    };
    root.replaceChildren(...codegen.LANGUAGES.map(({ key, name }) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.role = 'tab';
      b.id = `tab-${key}`;
      b.dataset.lang = key;
      b.textContent = name;
      b.setAttribute('aria-controls', 'code-panel');
      b.setAttribute('aria-selected', String(key === codeLang));
      b.tabIndex = key === codeLang ? 0 : -1;
      b.addEventListener('click', () => select(b));
      return b;
    }));
    root.addEventListener('keydown', (e) => {
      const tabs = [...root.querySelectorAll('[role="tab"]')];
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      const b = tabs[(to + tabs.length) % tabs.length];
      b.focus();
      select(b);
    });
    $('code-panel').setAttribute('aria-labelledby', `tab-${codeLang}`);
  };

  whenNear($('formula'), 'formula panel', async () => {
    formula = await import('./formula.js');
    showFormula();
  }, onError);
  whenNear($('code-panel'), 'code panel', async () => {
    codegen = await import('./codegen.js');
    codeTabs();
    showCode();
  }, onError);

  // The tensor panel's module (and the full engine it uses) load when a file is first chosen.
  let tensors = null;
  let tensorsLoading = null;
  const startTensors = () => {
    tensorsLoading ??= import('./tensors.js')
      .then((m) => { tensors = m.tensorPanel(lossConfig(state)); })
      .catch((e) => {
        tensorsLoading = null;
        onError('tensor panel', e);
      });
  };
  for (const id of ['tensor-logits', 'tensor-labels']) $(id).addEventListener('change', startTensors);

  $('region').addEventListener('input', () => {
    $('region-value').textContent = $('region').value;
    showFormula();
  });
  $('copy-code').addEventListener('click', async () => {
    const text = $('code').textContent;
    try {
      await navigator.clipboard.writeText(text);
      $('copy-status').textContent = 'Copied.';
    } catch {
      // Clipboard access can be refused (sandboxed iframe): select the code for a manual copy.
      const range = document.createRange();
      range.selectNodeContents($('code'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      $('copy-status').textContent = 'Selected: press Ctrl+C to copy.';
    }
  });

  return {
    refresh(next) {
      state = next;
      showFormula();
      showCode();
      tensors?.(lossConfig(state));
    },
  };
}
