// The label-painting model behind "Your image", without the DOM: a label map (one byte a pixel,
// 255 = ignored, which is also what an unpainted pixel is: the export format has one value for
// both), the shapes that paint it (the question's three-click parallelogram, a round brush), the
// class list (2–8 classes, names, colours), and undo/redo kept as diffs of changed pixels within a
// byte budget, never as copies of the map. Pure: runs in node.

/** The label of an ignored (or unpainted) pixel: the loss's default ignore index. */
export const IGNORE = 255;
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 8;
/** The default class colours: the page's (views.js CLASS_COLORS), as CSS hex. */
export const COLORS = ['#464a54', '#2f6fd1', '#d1582f', '#40aa60', '#e0b428', '#9650be', '#28b4be', '#dc5a96'];

/** A fresh class list of `n` classes. */
export const defaultClasses = (n = 2) =>
  Array.from({ length: n }, (_, k) => ({ name: k === 0 ? 'background' : `class ${k}`, color: COLORS[k] }));

/** The corner opposite `p2` of the parallelogram with corners p1, p2, p3 (p2 between the others). */
export const fourthCorner = (p1, p2, p3) => [p1[0] + p3[0] - p2[0], p1[1] + p3[1] - p2[1]];

/**
 * Calls `visit(i)` for every pixel whose centre lies in the parallelogram p1, p2, p3, p1+p3−p2
 * (boundary included). Points are in pixel units: pixel (x, y) covers [x, x+1) × [y, y+1).
 * @param {number} width
 * @param {number} height
 * @param {number[]} p1
 * @param {number[]} p2
 * @param {number[]} p3
 * @param {(i: number) => void} visit
 */
export function parallelogramPixels(width, height, p1, p2, p3, visit) {
  const q = [p1, p2, p3, fourthCorner(p1, p2, p3)];
  const cross = (a, b, x, y) => (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
  // A convex quad contains a point when it lies on the same side of all four edges.
  const orient = Math.sign(cross(p1, p2, p3[0], p3[1]));
  if (orient === 0) return; // three points on a line: no area
  const xs = q.map((p) => p[0]);
  const ys = q.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - 0.5));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs) - 0.5));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - 0.5));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys) - 0.5));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const [cx, cy] = [x + 0.5, y + 0.5];
      let inside = true;
      for (let k = 0; k < 4 && inside; k++) inside = cross(q[k], q[(k + 1) % 4], cx, cy) * orient >= 0;
      if (inside) visit(y * width + x);
    }
  }
}

/**
 * Calls `visit(i)` for every pixel a brush of diameter `size` covers when dragged from `a` to `b`:
 * pixel centres within size/2 of the segment between the centres of the pixels under `a` and `b`
 * (so a size-1 brush paints exactly the pixels it passes).
 * @param {number} width
 * @param {number} height
 * @param {number[]} a
 * @param {number[]} b
 * @param {number} size
 * @param {(i: number) => void} visit
 */
export function strokePixels(width, height, a, b, size, visit) {
  const [ax, ay] = [Math.floor(a[0]) + 0.5, Math.floor(a[1]) + 0.5];
  const [bx, by] = [Math.floor(b[0]) + 0.5, Math.floor(b[1]) + 0.5];
  const r = Math.max(size, 1) / 2;
  const [dx, dy] = [bx - ax, by - ay];
  const len2 = dx * dx + dy * dy;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + r));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const [px, py] = [x + 0.5 - ax, y + 0.5 - ay];
      const t = len2 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0;
      const [ex, ey] = [px - t * dx, py - t * dy];
      if (ex * ex + ey * ey <= r * r + 1e-9) visit(y * width + x);
    }
  }
}

// A step's own bookkeeping is counted too, so that many tiny steps are bounded as well.
const stepBytes = (s) => s.idx.byteLength + s.before.byteLength + s.after.byteLength + (s.classes ? 192 : 64);

/** The labels and classes of one image, with undo and redo. */
export class Painting {
  /**
   * @param {number} width
   * @param {number} height
   * @param {{labels?: Uint8Array, classes?: {name: string, color: string}[], historyBytes?: number}} [opts]
   *   `historyBytes` bounds undo and redo together; the oldest steps go first.
   */
  constructor(width, height, { labels, classes, historyBytes = 4 << 20 } = {}) {
    this.width = width;
    this.height = height;
    this.labels = labels ? Uint8Array.from(labels) : new Uint8Array(width * height).fill(IGNORE);
    if (this.labels.length !== width * height) throw new Error(`labels have ${this.labels.length} pixels, the image ${width}×${height}`);
    this.classes = (classes ?? defaultClasses()).map((c) => ({ ...c }));
    if (this.classes.length < MIN_CLASSES || this.classes.length > MAX_CLASSES) {
      throw new Error(`${this.classes.length} classes: the net trains on ${MIN_CLASSES} to ${MAX_CLASSES}`);
    }
    this.historyBytes = historyBytes;
    this.undoStack = [];
    this.redoStack = [];
    this.bytes = 0; // held by both stacks
    this.stamp = new Uint32Array(width * height); // marks pixels already recorded in the open step
    this.gen = 0;
    this.open = null;
    this.depth = 0;
    const bad = this.labels.findIndex((v) => v !== IGNORE && v >= this.classes.length);
    if (bad >= 0) throw new Error(`label ${this.labels[bad]} at (h=${Math.floor(bad / width)}, w=${bad % width}) is not a class 0..${this.classes.length - 1} nor ignore 255`);
  }

  /** Starts a step: every change until the matching `end()` undoes as one (a brush drag). */
  begin() {
    if (this.depth++ === 0) {
      this.gen++;
      this.open = { idx: [], before: [], classes: null };
    }
  }

  /** Ends a step; one that changed nothing is not kept. Returns whether it changed anything. */
  end() {
    if (this.depth === 0 || --this.depth > 0) return false;
    const { idx, before, classes } = this.open;
    this.open = null;
    // A pixel painted and painted back within the step is no change.
    const keep = idx.map((i, k) => this.labels[i] !== before[k]);
    const Index = this.labels.length <= 65536 ? Uint16Array : Uint32Array;
    const step = {
      idx: Index.from(idx.filter((_, k) => keep[k])),
      before: Uint8Array.from(before.filter((_, k) => keep[k])),
      classes: classes && { before: classes, after: this.classes.map((c) => ({ ...c })) },
    };
    step.after = step.idx.length ? Uint8Array.from(step.idx, (i) => this.labels[i]) : new Uint8Array(0);
    if (!step.idx.length && !step.classes) return false;
    this.undoStack.push(step);
    this.bytes += stepBytes(step);
    for (const r of this.redoStack) this.bytes -= stepBytes(r);
    this.redoStack = [];
    this.trim();
    return true;
  }

  /** Runs `fn` as one step. */
  step(fn) {
    this.begin();
    try {
      fn();
    } finally {
      this.end();
    }
  }

  set(i, value) {
    if (this.labels[i] === value) return;
    if (this.stamp[i] !== this.gen) {
      this.stamp[i] = this.gen;
      this.open.idx.push(i);
      this.open.before.push(this.labels[i]);
    }
    this.labels[i] = value;
  }

  checkValue(value) {
    if (value !== IGNORE && !(Number.isInteger(value) && value >= 0 && value < this.classes.length)) {
      throw new RangeError(`label ${value} is not a class 0..${this.classes.length - 1} nor ignore 255`);
    }
  }

  /** Paints the parallelogram p1, p2, p3 (p2 the corner between the other two) with `value`. */
  parallelogram(p1, p2, p3, value) {
    this.checkValue(value);
    this.step(() => parallelogramPixels(this.width, this.height, p1, p2, p3, (i) => this.set(i, value)));
  }

  /** Paints a brush of diameter `size` from `a` to `b` (a dot where they are equal); an eraser is
   * `value` 255. Inside `begin()`/`end()`, a whole drag is one step. */
  stroke(a, b, size, value) {
    this.checkValue(value);
    this.step(() => strokePixels(this.width, this.height, a, b, size, (i) => this.set(i, value)));
  }

  /** Undoes the last step; false when there is none. */
  undo() {
    return this.replay(this.undoStack, this.redoStack, 'before');
  }

  /** Redoes the last undone step; false when there is none. */
  redo() {
    return this.replay(this.redoStack, this.undoStack, 'after');
  }

  replay(from, to, side) {
    if (this.depth > 0 || !from.length) return false;
    const s = from.pop();
    for (let k = 0; k < s.idx.length; k++) this.labels[s.idx[k]] = s[side][k];
    if (s.classes) this.classes = s.classes[side].map((c) => ({ ...c }));
    to.push(s);
    return true;
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  /** Bytes held by undo and redo. */
  historySize() {
    return this.bytes;
  }

  /** Drops the oldest steps until the history fits its budget; the step just made always stays
   * undoable, even one larger than the whole budget. */
  trim() {
    while (this.bytes > this.historyBytes && this.undoStack.length > 1) this.bytes -= stepBytes(this.undoStack.shift());
  }

  /** Opens a step that changes the class list, recording the list as it was. */
  classStep(fn) {
    this.begin();
    if (!this.open.classes) this.open.classes = this.classes.map((c) => ({ ...c }));
    try {
      fn();
    } finally {
      this.end();
    }
  }

  /** Adds a class (up to 8); returns its index. */
  addClass(name, color) {
    const k = this.classes.length;
    if (k >= MAX_CLASSES) throw new Error(`there are already ${MAX_CLASSES} classes, the most the net trains on`);
    this.classStep(() => this.classes.push({ name: name ?? `class ${k}`, color: color ?? COLORS[k] }));
    return k;
  }

  /** Removes class `k` (down to 2): its pixels become ignored, the classes after it move down one. */
  removeClass(k) {
    if (this.classes.length <= MIN_CLASSES) throw new Error(`the net needs at least ${MIN_CLASSES} classes`);
    this.checkClass(k);
    this.classStep(() => {
      this.classes.splice(k, 1);
      for (let i = 0; i < this.labels.length; i++) {
        const v = this.labels[i];
        if (v === k) this.set(i, IGNORE);
        else if (v !== IGNORE && v > k) this.set(i, v - 1);
      }
    });
  }

  checkClass(k) {
    if (!(Number.isInteger(k) && k >= 0 && k < this.classes.length)) throw new RangeError(`there is no class ${k}`);
  }

  /** Renames class `k` (not a step: text fields keep their own undo). */
  renameClass(k, name) {
    this.checkClass(k);
    this.classes[k].name = String(name).slice(0, 40);
  }

  /** Recolours class `k` (a CSS hex colour). */
  recolorClass(k, color) {
    this.checkClass(k);
    if (!/^#[0-9a-f]{6}$/i.test(color)) throw new Error(`colour ${color} is not of the form #rrggbb`);
    this.classes[k].color = color.toLowerCase();
  }

  /** Painted pixels per class, and the ignored (or unpainted) ones. */
  counts() {
    const perClass = new Array(this.classes.length).fill(0);
    let ignored = 0;
    for (const v of this.labels) {
      if (v === IGNORE) ignored++;
      else perClass[v]++;
    }
    return { perClass, ignored };
  }

  /** Why training cannot start on this painting, or null. */
  problem() {
    return this.labels.some((v) => v !== IGNORE)
      ? null
      : 'nothing is painted yet: paint some pixels of at least one class (unpainted pixels are ignored)';
  }

  /** A copy of what is kept and exported. */
  state() {
    return { width: this.width, height: this.height, labels: this.labels.slice(), classes: this.classes.map((c) => ({ ...c })) };
  }
}
