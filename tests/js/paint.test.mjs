// The painting model (www/own/paint.js): parallelograms cover their area and find their fourth
// corner, the brush and eraser paint discs and strokes, undo/redo restore every state exactly and
// keep only diffs within their byte budget, classes stay within 2–8; and the image size rules
// (www/own/imagesize.js): PNG and JPEG sizes read from headers built here, the pixel cap, the
// working size; and the PNG writer (www/own/pngpair.js) writes what a PNG reader reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { Painting, IGNORE, fourthCorner, parallelogramPixels, strokePixels, defaultClasses } from '../../www/own/paint.js';
import { imageSize, checkPixels, workingSize, MAX_PIXELS } from '../../www/own/imagesize.js';
import { encodePng, pngInfo, labelClasses } from '../../www/own/pngpair.js';
import { mulberry32 } from '../../www/bench/protocol.js';

/** Seeded numbers: the bench protocol's mulberry32 stream. */
const rng = mulberry32;

const pixels = (fn) => {
  const out = [];
  fn((i) => out.push(i));
  return out;
};

test('the fourth corner is p1 + p3 − p2', () => {
  assert.deepEqual(fourthCorner([1, 2], [4, 3], [6, 8]), [3, 7]);
  assert.deepEqual(fourthCorner([0, 0], [10, 0], [10, 5]), [0, 5]);
});

test('an axis-aligned parallelogram covers exactly the pixels whose centres it holds', () => {
  const got = pixels((v) => parallelogramPixels(20, 20, [2, 3], [10, 3], [10, 7], v));
  const want = [];
  for (let y = 3; y < 7; y++) for (let x = 2; x < 10; x++) want.push(y * 20 + x);
  assert.deepEqual(got, want);
  // Either winding and any starting corner give the same pixels.
  assert.deepEqual(pixels((v) => parallelogramPixels(20, 20, [10, 7], [10, 3], [2, 3], v)), want);
  assert.deepEqual(pixels((v) => parallelogramPixels(20, 20, [10, 3], [2, 3], [2, 7], v)), want);
  // Three points on a line have no area; a shape off the image paints nothing, and one across its
  // edge is clipped.
  assert.deepEqual(pixels((v) => parallelogramPixels(20, 20, [1, 1], [5, 5], [9, 9], v)), []);
  assert.deepEqual(pixels((v) => parallelogramPixels(20, 20, [30, 30], [40, 30], [40, 40], v)), []);
  assert.equal(pixels((v) => parallelogramPixels(20, 20, [-5, -5], [5, -5], [5, 5], v)).length, 25);
});

test('a random parallelogram covers about its area, |cross(p1 − p2, p3 − p2)|', () => {
  const r = rng(7);
  for (let n = 0; n < 200; n++) {
    const p = () => [20 + r() * 216, 20 + r() * 216];
    const [p1, p2, p3] = [p(), p(), p()];
    const [ux, uy, vx, vy] = [p1[0] - p2[0], p1[1] - p2[1], p3[0] - p2[0], p3[1] - p2[1]];
    const area = Math.abs(ux * vy - uy * vx);
    const perimeter = 2 * (Math.hypot(ux, uy) + Math.hypot(vx, vy));
    const p4 = fourthCorner(p1, p2, p3);
    if ([p4[0], p4[1]].some((c) => c < 0 || c > 256)) continue; // clipped: area would not hold
    const count = pixels((v) => parallelogramPixels(256, 256, p1, p2, p3, v)).length;
    // Pixels whose centres lie inside differ from the area by at most the boundary's pixels.
    assert.ok(Math.abs(count - area) <= perimeter + 4, `area ${area}, ${count} pixels`);
  }
});

test('the brush paints discs of its diameter and strokes without gaps', () => {
  const dot = (size) => pixels((v) => strokePixels(32, 32, [10.2, 10.9], [10.2, 10.9], size, v));
  assert.deepEqual(dot(1), [10 * 32 + 10]);
  assert.equal(dot(3).length, 9); // centre, 4 neighbours, 4 diagonals (√2 ≤ 1.5)
  assert.equal(dot(5).length, 21); // all with dx² + dy² ≤ 6.25
  const line = pixels((v) => strokePixels(32, 32, [0.5, 5.5], [9.9, 5.1], 1, v));
  assert.deepEqual(line, Array.from({ length: 10 }, (_, x) => 5 * 32 + x));
  const diag = pixels((v) => strokePixels(32, 32, [0, 0], [20, 20], 2, v));
  for (let k = 0; k <= 20; k++) assert.ok(diag.includes(k * 32 + k));
  // At the border the disc is clipped, never wrapped to the other side.
  assert.deepEqual(pixels((v) => strokePixels(8, 8, [0, 0], [0, 0], 3, v)).sort((a, b) => a - b), [0, 1, 8, 9]);
});

test('painting, erasing and ignoring; counts and the empty painting', () => {
  const p = new Painting(16, 12);
  assert.equal(p.labels.length, 192);
  assert.ok(p.labels.every((v) => v === IGNORE));
  assert.match(p.problem(), /nothing is painted/);
  p.parallelogram([0, 0], [8, 0], [8, 4], 1);
  assert.deepEqual(p.counts(), { perClass: [0, 32], ignored: 160 });
  assert.equal(p.problem(), null);
  p.stroke([2.5, 2.5], [2.5, 2.5], 1, 0);
  assert.equal(p.labels[2 * 16 + 2], 0);
  p.stroke([2.5, 2.5], [2.5, 2.5], 1, IGNORE); // the eraser, and "ignore", write 255
  assert.equal(p.labels[2 * 16 + 2], IGNORE);
  assert.throws(() => p.stroke([1, 1], [1, 1], 1, 2), /label 2 is not a class 0\.\.1/);
  assert.throws(() => new Painting(2, 2, { labels: new Uint8Array([0, 1, 5, 255]) }), /label 5/);
});

test('undo and redo restore every state exactly, a drag undoes as one step', () => {
  const r = rng(3);
  const p = new Painting(64, 48, { classes: defaultClasses(4) });
  const states = [p.labels.slice()];
  for (let n = 0; n < 60; n++) {
    const pt = () => [r() * 64, r() * 48];
    const value = r() < 0.2 ? IGNORE : Math.floor(r() * 4);
    if (r() < 0.5) p.parallelogram(pt(), pt(), pt(), value);
    else {
      p.begin();
      let a = pt();
      for (let k = 0; k < 5; k++) {
        const b = [a[0] + (r() - 0.5) * 10, a[1] + (r() - 0.5) * 10];
        p.stroke(a, b, 1 + Math.floor(r() * 8), value);
        a = b;
      }
      p.end();
    }
    if (!p.labels.every((v, i) => v === states.at(-1)[i])) states.push(p.labels.slice());
  }
  assert.equal(p.undoStack.length, states.length - 1);
  for (let k = states.length - 2; k >= 0; k--) {
    assert.ok(p.undo());
    assert.deepEqual(p.labels, states[k]);
  }
  assert.equal(p.undo(), false);
  for (let k = 1; k < states.length; k++) {
    assert.ok(p.redo());
    assert.deepEqual(p.labels, states[k]);
  }
  assert.equal(p.redo(), false);
  // A new edit after an undo drops the redo steps; an edit that changes nothing is no step.
  p.undo();
  p.stroke([1, 1], [1, 1], 1, 0);
  p.stroke([1, 1], [1, 1], 1, 0);
  assert.equal(p.canRedo, false);
  assert.equal(p.undoStack.length, states.length - 1);
  // Painting a pixel and painting it back within one drag is no step either.
  const before = p.undoStack.length;
  p.begin();
  p.stroke([30, 30], [30, 30], 1, 3);
  p.stroke([30, 30], [30, 30], 1, p.labels[30 * 64 + 30] === 3 ? 3 : IGNORE);
  p.end();
  assert.ok(p.undoStack.length <= before + 1);
});

test('the history keeps diffs, within its byte budget', () => {
  // One dot on a 256×256 map costs bytes for one pixel, not a copy of the map.
  const p = new Painting(256, 256);
  p.stroke([100, 100], [100, 100], 1, 1);
  assert.ok(p.historySize() < 100, `${p.historySize()} bytes`);
  assert.ok(p.undoStack[0].idx instanceof Uint16Array);
  // Many large steps under a small budget: the oldest go, the newest stay undoable.
  const budget = 64 * 1024;
  const q = new Painting(256, 256, { historyBytes: budget });
  for (let n = 0; n < 100; n++) q.parallelogram([0, 0], [40, 0], [40, 40], n % 2); // 1600 pixels a step
  assert.ok(q.historySize() <= budget, `${q.historySize()} bytes`);
  assert.ok(q.undoStack.length > 5 && q.undoStack.length < 100, `${q.undoStack.length} steps`);
  const s = q.labels.slice();
  const kept = q.undoStack.length;
  while (q.undo());
  // Back to the state after the last step that was dropped: step 99 − kept, value (99 − kept) % 2.
  assert.equal(q.labels[0], (99 - kept) % 2);
  while (q.redo());
  assert.deepEqual(q.labels, s);
  // A step larger than the whole budget is still undoable, alone.
  q.parallelogram([0, 0], [256, 0], [256, 256], 1);
  assert.equal(q.undoStack.length, 1);
  assert.ok(q.undo());
  // A larger map indexes its diffs with 32 bits.
  const big = new Painting(300, 300);
  big.stroke([299, 299], [299, 299], 1, 0);
  assert.ok(big.undoStack[0].idx instanceof Uint32Array);
  assert.equal(big.undoStack[0].idx[0], 300 * 300 - 1);
});

test('classes: 2 to 8, editable, removal is undoable and renumbers the labels', () => {
  const p = new Painting(4, 1, { classes: defaultClasses(3), labels: new Uint8Array([0, 1, 2, IGNORE]) });
  p.renameClass(2, 'rust');
  p.recolorClass(2, '#AA0011');
  assert.deepEqual(p.classes[2], { name: 'rust', color: '#aa0011' });
  assert.throws(() => p.recolorClass(2, 'red'), /#rrggbb/);
  assert.throws(() => p.renameClass(7, 'x'), /no class 7/);
  p.removeClass(1);
  assert.deepEqual([...p.labels], [0, IGNORE, 1, IGNORE]);
  assert.deepEqual(p.classes.map((c) => c.name), ['background', 'rust']);
  assert.throws(() => p.removeClass(0), /at least 2/);
  p.undo();
  assert.deepEqual([...p.labels], [0, 1, 2, IGNORE]);
  assert.deepEqual(p.classes.map((c) => c.name), ['background', 'class 1', 'rust']);
  p.redo();
  assert.deepEqual([...p.labels], [0, IGNORE, 1, IGNORE]);
  while (p.classes.length < 8) p.addClass();
  assert.throws(() => p.addClass(), /already 8/);
  assert.equal(new Set(p.classes.map((c) => c.color)).size, 8);
  p.undo();
  assert.equal(p.classes.length, 7);
});

// --- Image headers. ---

/** A PNG's signature and IHDR (CRC not checked by the reader, written anyway as zero). */
function pngHeader(width, height, colorType = 2) {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const dv = new DataView(b.buffer);
  dv.setUint32(16, width);
  dv.setUint32(20, height);
  b.set([8, colorType, 0, 0, 0], 24);
  return b;
}

/** A JPEG's markers up to its frame header: SOI, APP0 (JFIF), APP1 of `exif` bytes, DQT, SOFn. */
function jpegHeader(width, height, { sof = 0xc0, exif = 100, fill = false } = {}) {
  const seg = (code, payload) => [0xff, code, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  return new Uint8Array([
    0xff, 0xd8,
    ...seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...seg(0xe1, new Array(exif).fill(7)),
    ...(fill ? [0xff, 0xff] : []),
    ...seg(0xdb, new Array(65).fill(1)),
    ...seg(0xc4, new Array(20).fill(0)),
    ...seg(sof, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
    0xff, 0xda,
  ]);
}

test('image sizes come from the PNG and JPEG headers', () => {
  assert.deepEqual(imageSize(pngHeader(4032, 3024)), { type: 'png', width: 4032, height: 3024 });
  assert.deepEqual(imageSize(jpegHeader(640, 480)), { type: 'jpeg', width: 640, height: 480 });
  assert.deepEqual(imageSize(jpegHeader(300, 200, { sof: 0xc2, exif: 60000, fill: true })), { type: 'jpeg', width: 300, height: 200 });
  const refusals = [
    [new Uint8Array(0), 'the file is empty'],
    [new TextEncoder().encode('hello, not an image'), 'not a PNG or JPEG image'],
    [new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), 'not a PNG or JPEG image'],
    [pngHeader(10, 10).subarray(0, 20), 'corrupt PNG: the file ends inside its header'],
    [Object.assign(pngHeader(10, 10), { 12: 0x41 }), 'corrupt PNG: it does not start with an IHDR chunk'],
    [pngHeader(0, 10), 'corrupt PNG: its size 0×10 is invalid'],
    [jpegHeader(640, 480).subarray(0, 60), 'corrupt JPEG: no frame header (SOF) gives its size'],
    [new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 4]), 'corrupt JPEG: no frame header (SOF) gives its size'],
    [new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 0x42]), 'corrupt JPEG: no frame header (SOF) gives its size'],
    [new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2, 0x42, 0]), 'corrupt JPEG: a marker was expected'],
    [jpegHeader(0, 480), 'corrupt JPEG: its size 0×480 is invalid'],
  ];
  for (const [bytes, want] of refusals) assert.throws(() => imageSize(bytes), { message: want });
});

test('the pixel cap and the working size', () => {
  checkPixels(6000, 6000);
  assert.throws(() => checkPixels(8000, 6000), { message: `the image is 8000×6000 (48 megapixels), more than the 40 megapixels this page decodes: make it smaller first` });
  assert.equal(MAX_PIXELS, 40e6);
  assert.deepEqual(workingSize(4032, 3024), { width: 256, height: 192, scaled: true });
  assert.deepEqual(workingSize(3024, 4032), { width: 192, height: 256, scaled: true });
  assert.deepEqual(workingSize(256, 256), { width: 256, height: 256, scaled: false });
  assert.deepEqual(workingSize(200, 100), { width: 200, height: 100, scaled: false });
  assert.deepEqual(workingSize(257, 33), { width: 256, height: 33, scaled: true });
  assert.throws(() => workingSize(3000, 200), /3000×200, 256×17 at the working size, too small: its short side must be at least 32/);
  assert.throws(() => workingSize(100, 20), /100×20 too small/);
});

test('the PNG writer writes a PNG: header, pixels, the class list in tEXt', async () => {
  const gray = Uint8Array.from({ length: 5 * 3 }, (_, i) => (i % 4 === 3 ? 255 : i % 3));
  const classes = [{ name: 'fond', color: '#000000' }, { name: 'rouillé ✓', color: '#aa0011' }, { name: 'c', color: '#00ff00' }];
  const png = await encodePng(5, 3, 1, gray, { 'dicelab-classes': JSON.stringify(classes).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) });
  assert.deepEqual(imageSize(png), { type: 'png', width: 5, height: 3 });
  const info = pngInfo(png);
  assert.equal(info.colorType, 0);
  assert.deepEqual(JSON.parse(info.text['dicelab-classes']), classes);
  // IDAT: one filter byte (0) and the row, per row.
  const at = Buffer.from(png).indexOf('IDAT');
  const len = new DataView(png.buffer).getUint32(at - 4);
  const rows = inflateSync(png.subarray(at + 4, at + 4 + len));
  assert.equal(rows.length, 3 * 6);
  for (let y = 0; y < 3; y++) {
    assert.equal(rows[y * 6], 0);
    assert.deepEqual([...rows.subarray(y * 6 + 1, y * 6 + 6)], [...gray.subarray(y * 5, y * 5 + 5)]);
  }
  const rgb = await encodePng(2, 2, 3, Uint8Array.from({ length: 12 }, (_, i) => i * 20));
  assert.equal(pngInfo(rgb).colorType, 2);
  // Imported label values: 0..7 or 255, the class count they imply.
  assert.equal(labelClasses(gray, 5, null, 'l'), 3);
  assert.equal(labelClasses(new Uint8Array([255, 0]), 2, null, 'l'), 2);
  assert.throws(() => labelClasses(new Uint8Array([0, 9]), 2, null, 'labels.png'), { message: 'labels.png: label 9 at (h=0, w=1) is outside 0..7 and is not the ignore index 255' });
  assert.throws(() => labelClasses(new Uint8Array([0, 3]), 2, 3, 'l'), /outside 0\.\.2/);
});
