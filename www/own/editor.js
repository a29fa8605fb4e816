// The "Your image" editor: a canvas showing the working image with its labels over it, tools to
// paint them (three-click parallelogram, brush, eraser; "ignore" is a value any tool paints), the
// class chips, undo/redo, open/drop/paste, export. Pointer events only, so mouse, pen and touch
// paint alike; fits a 375 px screen. Every error is one line in the editor and leaves the painting
// as it was. The model is paint.js; files are pngpair.js; keeping across reloads is store.js.

import { Painting, IGNORE, MIN_CLASSES, MAX_CLASSES } from './paint.js';
import { importFiles, exportNpyPair, exportPngPair } from './pngpair.js';

const CSS = `
.own { display: grid; gap: 0.5rem; max-width: 48rem; }
.own-bar, .own-classes { display: flex; flex-wrap: wrap; gap: 0.35rem; align-items: center; }
.own-bar button, .own-classes button { min-height: 2.25rem; }
.own button:disabled { opacity: 0.45; cursor: default; }
.own-size { display: inline-flex; align-items: center; gap: 0.3rem; font-size: 0.85rem; }
.own-size input { width: 5.5rem; }
.own-chip { display: inline-flex; align-items: center; gap: 0.2rem; border: 1px solid var(--line, #e3e6ee); border-radius: 6px; padding: 0.15rem; }
.own-chip input[type=text] { width: 6.5rem; font: inherit; font-size: 0.85rem; min-height: 2rem; }
.own-chip input[type=color] { width: 2rem; height: 2rem; padding: 0; border: none; background: none; }
.own-swatch { display: inline-block; width: 1rem; height: 1rem; border-radius: 3px; vertical-align: middle; }
.own-count { font-size: 0.75rem; color: var(--muted, #5a6273); min-width: 3.5rem; }
.own canvas { width: 100%; height: auto; image-rendering: pixelated; touch-action: none; cursor: crosshair; border: 1px solid var(--line, #e3e6ee); }
.own canvas:focus-visible { outline: 2px solid var(--accent, #2f6fd1); }
.own-drop { border: 2px dashed var(--line, #c9cedb); border-radius: 8px; padding: 1.5rem 1rem; text-align: center; color: var(--muted, #5a6273); }
.own.dragging { outline: 2px dashed var(--accent, #2f6fd1); }
.own-info, .own-msg, .own-links { margin: 0; font-size: 0.85rem; }
.own-msg { color: var(--error, #b3261e); }
.own-links a { margin-right: 0.8rem; }
`;
let sheet;

/** `<tag class=…>` with properties and children. */
function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const hexRgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));

/**
 * Creates the editor in `container`.
 * @param {HTMLElement} container
 * @param {{onChange?: (editor: object) => void, store?: ReturnType<import('./store.js').createStore>}} [opts]
 *   `store` restores the kept painting at once and keeps every change (see `ready`, `flush`).
 */
export function createEditor(container, { onChange = () => {}, store = null } = {}) {
  if (!sheet && 'adoptedStyleSheets' in document) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  if (sheet && !document.adoptedStyleSheets.includes(sheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

  /** @type {Painting|null} */
  let painting = null;
  let image = null; // {width, height, rgb, natural, base: RGBA bytes}
  let tool = 'parallelogram';
  let value = 1;
  let points = []; // parallelogram corners clicked so far
  let hover = null;
  let drag = null; // {id, last} while the brush is down
  let frame = 0;
  let saveTimer = 0;
  let saving = Promise.resolve();
  let urls = [];

  const button = (text, label, onclick) => el('button', { type: 'button', textContent: text, ariaLabel: label, onclick });
  const file = el('input', { type: 'file', multiple: true, accept: '.png,.jpg,.jpeg,.npy,image/png,image/jpeg', hidden: true });
  const tools = {
    parallelogram: button('▱ Parallelogram', 'Parallelogram tool: click three corners', () => setTool('parallelogram')),
    brush: button('● Brush', 'Brush tool', () => setTool('brush')),
    eraser: button('⌫ Eraser', 'Eraser: sets pixels back to ignored', () => setTool('eraser')),
  };
  const HINTS = {
    parallelogram: () => `Parallelogram: click corner ${points.length + 1} of 3 (the third sets the fourth; Esc starts over)`,
    brush: () => 'Brush: drag to paint',
    eraser: () => 'Eraser: drag to erase',
  };
  const size = el('input', { type: 'range', min: 1, max: 32, value: 6, ariaLabel: 'Brush size in pixels' });
  const sizeOut = el('output', { textContent: '6 px' });
  const undoB = button('↶ Undo', 'Undo (Ctrl+Z)', () => act(() => painting?.undo()));
  const redoB = button('↷ Redo', 'Redo (Ctrl+Shift+Z)', () => act(() => painting?.redo()));
  const exportNpyB = button('Export .npy', 'Export image and labels as .npy', () => offer(exportNpyPair(snapshot())));
  const exportPngB = button('Export PNG pair', 'Export image and labels as two PNG files', () => exportPngPair(snapshot()).then(offer, (e) => say(e.message)));
  const bar = el('div', { className: 'own-bar', role: 'group', ariaLabel: 'Painting tools' },
    button('Open image…', 'Open an image (PNG or JPEG) or a pair (image and labels)', () => file.click()),
    tools.parallelogram, tools.brush, tools.eraser, el('label', { className: 'own-size' }, 'Size', size, sizeOut),
    undoB, redoB, exportNpyB, exportPngB);
  const classesRow = el('div', { className: 'own-classes', role: 'group', ariaLabel: 'Classes' });
  const canvas = el('canvas', { tabIndex: 0, ariaLabel: 'Your image with its painted labels', hidden: true });
  canvas.style.touchAction = 'none'; // here too, in case the style sheet is missing: touch paints, never scrolls
  const drop = el('p', { className: 'own-drop', textContent: 'Open, drop or paste a PNG or JPEG image. It stays in this browser.' });
  const info = el('p', { className: 'own-info' });
  const msg = el('p', { className: 'own-msg', role: 'alert' });
  const links = el('p', { className: 'own-links' });
  const root = el('div', { className: 'own' }, bar, classesRow, drop, canvas, info, msg, links, file);
  container.append(root);

  const say = (text) => {
    msg.textContent = text ? String(text).split('\n')[0] : '';
  };

  /** What is kept and exported: the painting with its image. */
  const snapshot = () => ({ ...painting.state(), rgb: image.rgb, natural: image.natural });

  /** Everything after a change: redraw, controls, keep, tell. */
  function changed() {
    draw();
    refresh();
    schedule();
    onChange(api);
  }

  /** Keeps the painting a moment after the last change (a drag or typing is one write). */
  function schedule() {
    if (!store || !painting) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(persist, 300);
  }

  function persist() {
    saveTimer = 0;
    const s = snapshot();
    saving = saving.then(() => store.save(s)).then((err) => {
      if (err) say(err);
    });
    return saving;
  }

  function act(fn) {
    if (fn()) {
      points = [];
      say('');
      changed();
    }
  }

  function setTool(t) {
    tool = t;
    points = [];
    refresh();
    draw();
  }

  function setValue(v) {
    value = v;
    if (tool === 'eraser') tool = 'brush';
    refresh();
  }

  /** The class chips, rebuilt (a handful of elements) whenever anything changes. */
  function chips() {
    const { perClass, ignored } = painting.counts();
    const chip = (k, c) => {
      const pick = button('', `Paint ${c.name}`, () => setValue(k));
      pick.append(el('span', { className: 'own-swatch' }));
      pick.firstChild.style.background = c.color;
      pick.ariaPressed = String(value === k && tool !== 'eraser');
      const name = el('input', { type: 'text', value: c.name, ariaLabel: `Name of class ${k}`, maxLength: 40 });
      name.oninput = () => {
        painting.renameClass(k, name.value);
        pick.ariaLabel = `Paint ${name.value}`;
        schedule();
        onChange(api);
      };
      const color = el('input', { type: 'color', value: c.color, ariaLabel: `Colour of class ${k}` });
      color.onchange = () => {
        painting.recolorClass(k, color.value);
        changed();
      };
      const remove = button('×', `Remove class ${k}`, () => {
        try {
          painting.removeClass(k);
          if (value === k || value >= painting.classes.length) value = painting.classes.length - 1;
          changed();
        } catch (e) {
          say(e.message);
        }
      });
      remove.disabled = painting.classes.length <= MIN_CLASSES;
      return el('span', { className: 'own-chip' }, pick, name, color, el('span', { className: 'own-count', textContent: `${perClass[k]} px` }), remove);
    };
    const add = button('+ Class', 'Add a class', () => {
      value = painting.addClass();
      changed();
    });
    add.disabled = painting.classes.length >= MAX_CLASSES;
    const ignore = button('Ignore (255)', 'Paint ignored pixels (255), as an eraser does', () => setValue(IGNORE));
    ignore.ariaPressed = String(value === IGNORE && tool !== 'eraser');
    // Rebuilt whole (a handful of elements); focus stays on the control it was on.
    const focused = classesRow.contains(document.activeElement) ? document.activeElement.ariaLabel : null;
    classesRow.replaceChildren(...painting.classes.map((c, k) => chip(k, c)), add, ignore,
      el('span', { className: 'own-count', textContent: `${ignored} px ignored` }));
    if (focused) [...classesRow.querySelectorAll('button, input')].find((x) => x.ariaLabel === focused)?.focus();
  }

  function refresh() {
    const has = Boolean(painting);
    for (const [name, b] of Object.entries(tools)) {
      b.ariaPressed = String(tool === name);
      b.disabled = !has;
    }
    sizeOut.textContent = `${size.value} px`;
    undoB.disabled = !painting?.canUndo;
    redoB.disabled = !painting?.canRedo;
    exportNpyB.disabled = exportPngB.disabled = !has;
    canvas.hidden = !has;
    drop.hidden = has;
    if (!has) {
      classesRow.replaceChildren();
      info.textContent = '';
      return;
    }
    chips();
    const { width: w, height: h } = image;
    const n = image.natural;
    const sizeText = n.width !== w || n.height !== h ? `${w}×${h} pixels, downscaled from ${n.width}×${n.height}` : `${w}×${h} pixels`;
    info.textContent = `${sizeText}. ${HINTS[tool]()}.`;
  }

  function draw() {
    if (!painting) return;
    cancelAnimationFrame(frame);
    frame = 0;
    const { width: w, height: h } = image;
    const ctx = canvas.getContext('2d');
    const img = new ImageData(w, h);
    const px = img.data;
    px.set(image.base);
    const colors = painting.classes.map((c) => hexRgb(c.color));
    const labels = painting.labels;
    for (let i = 0; i < labels.length; i++) {
      const c = colors[labels[i]];
      if (!c) continue;
      // Half the class colour over the image: the image stays readable under the labels.
      px[4 * i] = (px[4 * i] + c[0]) >> 1;
      px[4 * i + 1] = (px[4 * i + 1] + c[1]) >> 1;
      px[4 * i + 2] = (px[4 * i + 2] + c[2]) >> 1;
    }
    ctx.putImageData(img, 0, 0);
    if (tool === 'parallelogram' && points.length) {
      const p = hover ? [...points, hover] : points;
      const corners = p.length === 3 ? [...p, [p[0][0] + p[2][0] - p[1][0], p[0][1] + p[2][1] - p[1][1]]] : p;
      ctx.beginPath();
      corners.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (corners.length === 4) ctx.closePath();
      ctx.lineWidth = Math.max(1, w / 256);
      ctx.strokeStyle = value === IGNORE ? '#fff' : painting.classes[value].color;
      ctx.stroke();
    }
  }

  const redraw = () => {
    frame ||= requestAnimationFrame(draw);
  };

  /** The point under a pointer, in image pixels. */
  function at(e) {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * image.width) / r.width, ((e.clientY - r.top) * image.height) / r.height];
  }

  const paintValue = () => (tool === 'eraser' ? IGNORE : value);

  canvas.addEventListener('pointerdown', (e) => {
    if (!painting || drag || e.button > 0) return;
    e.preventDefault();
    canvas.focus();
    const p = at(e);
    if (tool === 'parallelogram') {
      points.push(p);
      if (points.length === 3) {
        painting.parallelogram(points[0], points[1], points[2], value);
        points = [];
        hover = null;
        changed();
      } else {
        refresh();
        draw();
      }
      return;
    }
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // a synthesised pointer has nothing to capture
    }
    drag = { id: e.pointerId, last: p };
    painting.begin();
    painting.stroke(p, p, Number(size.value), paintValue());
    redraw();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!painting) return;
    const p = at(e);
    if (drag && e.pointerId === drag.id) {
      painting.stroke(drag.last, p, Number(size.value), paintValue());
      drag.last = p;
      redraw();
    } else if (tool === 'parallelogram' && points.length) {
      hover = p;
      redraw();
    }
  });
  const up = (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    drag = null;
    if (painting.end()) say('');
    changed();
  };
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);

  root.addEventListener('keydown', (e) => {
    if (e.target.type === 'text') return; // a class name keeps its own undo
    const key = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && (key === 'z' || key === 'y')) {
      e.preventDefault();
      act(() => (key === 'y' || e.shiftKey ? painting?.redo() : painting?.undo()));
    } else if (e.key === 'Escape' && points.length) {
      points = [];
      hover = null;
      refresh();
      draw();
    }
  });
  size.addEventListener('input', () => {
    if (tool === 'parallelogram') tool = 'brush';
    refresh();
  });
  file.addEventListener('change', () => {
    const files = [...file.files];
    file.value = '';
    if (files.length) load(files);
  });
  root.addEventListener('dragover', (e) => {
    e.preventDefault();
    root.classList.add('dragging');
  });
  root.addEventListener('dragleave', () => root.classList.remove('dragging'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('dragging');
    if (e.dataTransfer?.files.length) load([...e.dataTransfer.files]);
  });
  const onPaste = (e) => {
    const files = [...(e.clipboardData?.files ?? [])].filter((f) => /^image\//.test(f.type));
    if (!files.length || !root.isConnected) return;
    e.preventDefault();
    load(files);
  };
  document.addEventListener('paste', onPaste);

  /** Shows download links for exported files (a click each: browsers block a burst of downloads). */
  function offer(files) {
    urls.forEach(URL.revokeObjectURL);
    urls = files.map((f) => URL.createObjectURL(f.blob));
    links.replaceChildren('Download: ', ...files.map((f, k) => el('a', { href: urls[k], download: f.name, textContent: f.name })));
    return files;
  }

  /** Adopts a state ({width, height, rgb, labels, classes, natural}) as the painting. */
  function adopt(s) {
    const base = new Uint8ClampedArray(s.width * s.height * 4);
    for (let i = 0, j = 0; j < s.rgb.length; i += 4, j += 3) {
      base[i] = s.rgb[j] * 255 + 0.5;
      base[i + 1] = s.rgb[j + 1] * 255 + 0.5;
      base[i + 2] = s.rgb[j + 2] * 255 + 0.5;
      base[i + 3] = 255;
    }
    const next = new Painting(s.width, s.height, { labels: s.labels, classes: s.classes });
    image = { width: s.width, height: s.height, rgb: s.rgb, natural: s.natural ?? { width: s.width, height: s.height }, base };
    painting = next;
    canvas.width = s.width;
    canvas.height = s.height;
    points = [];
    hover = null;
    drag = null;
    if (value !== IGNORE) value = Math.min(value, painting.classes.length - 1);
    links.replaceChildren();
  }

  /**
   * Opens files: one image, or a pair. Resolves to the error message (shown too), or null.
   * @param {Blob|File|Blob[]|FileList} input
   */
  async function load(input) {
    const files = (input instanceof Blob ? [input] : [...input]).map((f) => (f instanceof File ? f : new File([f], 'pasted image', { type: f.type })));
    try {
      adopt(await importFiles(files));
    } catch (e) {
      say(e.message);
      return e.message.split('\n')[0];
    }
    say('');
    changed();
    return null;
  }

  const ready = store
    ? store.load().then(({ state, error }) => {
      if (error) say(error);
      else if (state && !painting) {
        try {
          adopt(state);
          draw();
          refresh();
          onChange(api);
        } catch (e) {
          say(`the kept painting was not restored: ${e.message}`);
        }
      }
    })
    : Promise.resolve();

  const api = {
    /** Settles once a kept painting is restored (or there was none). */
    ready,
    load,
    /** The working image: RGB floats in 0–1, H·W·3, or null before one is opened. */
    getImage: () => (image && { width: image.width, height: image.height, rgb: image.rgb }),
    /** The labels (H·W, 255 = ignored), or null. */
    getLabels: () => painting?.labels.slice() ?? null,
    /** The classes: [{name, color}]. */
    classes: () => painting?.classes.map((c) => ({ ...c })) ?? [],
    /** Painted pixels per class and ignored ones. */
    counts: () => painting?.counts() ?? null,
    /** Why training cannot start (no image, nothing painted), or null. */
    problem: () => (painting ? painting.problem() : 'no image yet: open, drop or paste one'),
    /** The .npy pair (also offered as download links). */
    exportNpy: () => offer(exportNpyPair(snapshot())),
    /** The PNG pair (also offered as download links). */
    exportPng: async () => offer(await exportPngPair(snapshot())),
    /** Resolves once the last change is kept. */
    flush: () => (saveTimer ? (clearTimeout(saveTimer), persist()) : saving),
    destroy() {
      clearTimeout(saveTimer);
      cancelAnimationFrame(frame);
      document.removeEventListener('paste', onPaste);
      urls.forEach(URL.revokeObjectURL);
      root.remove();
    },
  };
  refresh();
  return api;
}
