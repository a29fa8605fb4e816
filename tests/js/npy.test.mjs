// www/own/npy.js reads and refuses .npy files as `dicelab loss` does: every dtype, both byte orders,
// C and Fortran order, header versions 1–3, and each refusal in the CLI's words; writes byte for
// byte what the CLI (ndarray-npy) writes. Where the CLI is built (DICELAB_BIN, else
// target/debug/dicelab), every refusal is also checked against the CLI's own message and the
// gradient file against `--grad-out`; without it that part is skipped with the reason printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readLogits, readLabels, readFloats, checkPair, writeNpy, imageNpy, labelsNpy, gradNpy } from '../../www/own/npy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, process.env.DICELAB_BIN ?? 'target/debug/dicelab');

/** A .npy file by hand: any header text, version and data bytes. */
function raw(dict, data = new Uint8Array(0), major = 1) {
  const prefix = major === 1 ? 10 : 12;
  let text = dict;
  while ((prefix + text.length + 1) % 64) text += ' ';
  text += '\n';
  const head = new Uint8Array(prefix + text.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(head.buffer);
  if (major === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  head.set(new TextEncoder().encode(text), prefix);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

const header = (descr, shape, fortran = false) =>
  `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;

const SETTERS = { i1: 'setInt8', u1: 'setUint8', i2: 'setInt16', u2: 'setUint16', i4: 'setInt32', u4: 'setUint32', i8: 'setBigInt64', u8: 'setBigUint64', f4: 'setFloat32', f8: 'setFloat64' };

/** A file of `values` (C order) in any descr, C or Fortran order. */
function npy(descr, shape, values, { fortran = false, major = 1 } = {}) {
  const item = Number(descr.slice(2));
  const data = new Uint8Array(values.length * item);
  const dv = new DataView(data.buffer);
  const set = SETTERS[descr.slice(1)];
  const order = fortran ? fortranOrder(shape) : values.map((_, i) => i);
  order.forEach((src, k) => {
    const v = values[src];
    dv[set](k * item, set.includes('Big') ? BigInt(v) : v, descr[0] !== '>');
  });
  return raw(header(descr, shape, fortran), data, major);
}

/** For each Fortran-order position, the C-order index of the element stored there. */
function fortranOrder(shape) {
  const n = shape.reduce((a, d) => a * d, 1);
  const out = [];
  for (let f = 0; f < n; f++) {
    let rest = f;
    let c = 0;
    for (let k = 0; k < shape.length; k++) {
      const ix = rest % shape[k];
      rest = Math.floor(rest / shape[k]);
      c += ix * shape.slice(k + 1).reduce((a, d) => a * d, 1);
    }
    out.push(c);
  }
  return out;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);
const L = npy('<f4', [1, 2, 2, 3], range(12).map((i) => i / 4));
const Y = npy('|u1', [1, 2, 2], [0, 1, 255, 2]);
const message = (fn) => {
  try {
    fn();
  } catch (e) {
    return e.message;
  }
  return null;
};

test('logits: float32 and float64, both byte orders, C and Fortran order, versions 1 to 3', () => {
  const want = range(24).map((i) => i * 0.5 - 3);
  for (const descr of ['<f4', '>f4', '<f8', '>f8']) {
    for (const fortran of [false, true]) {
      for (const major of [1, 2, 3]) {
        const got = readLogits(npy(descr, [2, 2, 3, 2], want, { fortran, major }), 'x.npy');
        assert.deepEqual(got.shape, [2, 2, 3, 2]);
        assert.ok(got.data instanceof Float32Array);
        assert.deepEqual([...got.data], want, `${descr} fortran=${fortran} v${major}`);
      }
    }
  }
  // float64 narrows to float32 as the CLI does.
  assert.equal(readLogits(npy('<f8', [1, 1, 1, 1], [0.1]), 'x').data[0], Math.fround(0.1));
});

test('labels: every integer type, both byte orders, C and Fortran order', () => {
  const want = [0, 1, 2, 3, 255, 7, 1, 0, 2, 5, 4, 255];
  for (const t of ['|i1', '|u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']) {
    for (const descr of t[0] === '|' ? [t] : [`<${t}`, `>${t}`]) {
      for (const fortran of [false, true]) {
        const got = readLabels(npy(descr, [2, 3, 2], want.map((v) => (descr === '|i1' && v > 127 ? v - 256 : v)), { fortran }), 'y.npy');
        const values = [...got.data].map(Number).map((v) => (descr === '|i1' && v < 0 ? v + 256 : v));
        assert.deepEqual(got.shape, [2, 3, 2]);
        assert.deepEqual(values, want, `${descr} fortran=${fortran}`);
      }
    }
  }
});

test('Fortran order of a rank-4 array with every dimension distinct', () => {
  const shape = [2, 3, 4, 5];
  const values = range(120);
  const c = readLogits(npy('<f4', shape, values), 'c');
  const f = readLogits(npy('<f4', shape, values, { fortran: true }), 'f');
  assert.deepEqual([...f.data], [...c.data]);
  assert.deepEqual([...c.data], values);
});

test('writes round trip byte for byte, headers as ndarray-npy writes them', () => {
  const rgb = Float32Array.from(range(5 * 7 * 3), (i) => (i % 256) / 255);
  const img = imageNpy(5, 7, rgb);
  const back = readFloats(img, 'image', 3, '(H, W, 3)');
  assert.deepEqual(back.shape, [5, 7, 3]);
  assert.deepEqual(back.data, rgb);
  assert.deepEqual(imageNpy(5, 7, back.data), img);
  const lab = Uint8Array.from(range(35), (i) => (i % 3 ? i % 4 : 255));
  const lb = labelsNpy(5, 7, lab);
  const lback = readLabels(lb, 'labels', 2, '(H, W)');
  assert.deepEqual(lback.data, lab);
  assert.deepEqual(labelsNpy(5, 7, lback.data), lb);
  const grad = Float32Array.from(range(2 * 3 * 4 * 5), (i) => Math.sin(i) * 1e-3);
  const g = gradNpy([2, 3, 4, 5], grad);
  assert.deepEqual(readLogits(g, 'g').data, grad);
  const head = new TextDecoder().decode(g.subarray(10, g.indexOf(0x0a)));
  assert.equal(head.trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4, 5)}");
  assert.equal((g.indexOf(0x0a) + 1) % 64, 0);
  assert.throws(() => writeNpy('<f4', [2, 2], new Float32Array(3)), /4|3 values/);
});

// Each bad input and the message `dicelab loss --logits <l> --labels <y>` prints for it (after
// "dicelab: error: "), byte for byte, except where marked.
const f4 = (shape, n = shape.reduce((a, d) => a * d, 1)) => raw(header('<f4', shape), new Uint8Array(4 * n));
const CASES = [
  ['empty file', new Uint8Array(0), Y, 'logits l.npy: not a valid .npy file (I/O error: failed to fill whole buffer)'],
  ['header cut', L.subarray(0, 20), Y, 'logits l.npy: not a valid .npy file (I/O error: failed to fill whole buffer)'],
  ['not npy', new TextEncoder().encode('PNG this is not'), Y, 'logits l.npy: not a valid .npy file (error parsing header: start does not match magic string)'],
  ['version 4', raw(header('<f4', [1, 2, 2, 3]), new Uint8Array(48), 4), Y, 'logits l.npy: not a valid .npy file (error parsing header: unknown version number: 4.0)'],
  ['fortran_order 0', raw("{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 2, 2, 3), }", new Uint8Array(48)), Y, 'logits l.npy: not a valid .npy file (error parsing header: illegal value for key fortran_order: 0)'],
  ['negative dim', raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2, 2, 3), }", new Uint8Array(48)), Y, 'logits l.npy: not a valid .npy file (error parsing header: illegal value for key shape: (1, -2, 2, 3))'],
  ['missing key', raw("{'descr': '<f4', 'shape': (1, 2, 2, 3), }", new Uint8Array(48)), Y, 'logits l.npy: not a valid .npy file (error parsing header: missing key: fortran_order)'],
  ['unknown key', raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 3), 'x': 1}", new Uint8Array(48)), Y, "logits l.npy: not a valid .npy file (error parsing header: unknown key: 'x')"],
  ['not a dict', raw('[1, 2]', new Uint8Array(48)), Y, 'logits l.npy: not a valid .npy file (error parsing header: metadata is not a dict: [1, 2])'],
  ['structured', raw("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 2, 2, 3), }", new Uint8Array(48)), Y, "logits l.npy: unsupported structured dtype [('a', '<f4')]"],
  ['truncated data', L.subarray(0, L.length - 5), Y, 'logits l.npy: truncated: shape [1, 2, 2, 3] of <f4 needs 48 bytes of data, the file has 43'],
  // The header promises 12 PB: refused from the header, before anything is allocated.
  ['promises more', raw(header('<f4', [100000, 100000, 100000, 3]), new Uint8Array(48)), Y, 'logits l.npy: truncated: shape [100000, 100000, 100000, 3] of <f4 needs 12000000000000000 bytes of data, the file has 48'],
  ['too large', raw(header('<f4', [1e9, 1e9, 1e9, 1e9]), new Uint8Array(48)), Y, 'logits l.npy: shape [1000000000, 1000000000, 1000000000, 1000000000] is too large'],
  ['extra bytes', new Uint8Array([...L, 1, 2, 3]), Y, 'logits l.npy: file had 3 extra bytes before EOF'],
  ['rank 3 logits', f4([2, 2, 3]), Y, 'logits l.npy: expected 4 dimensions (B, H, W, C), got shape [2, 2, 3]'],
  ['rank 0 logits', f4([]), Y, 'logits l.npy: expected 4 dimensions (B, H, W, C), got shape []'],
  ['float16 logits', raw(header('<f2', [1, 2, 2, 3]), new Uint8Array(24)), Y, "logits l.npy: dtype '<f2' is not supported, expected float32 or float64"],
  ['int logits', npy('<i4', [1, 2, 2, 3], range(12)), Y, "logits l.npy: dtype '<i4' is not supported, expected float32 or float64"],
  ['=f4', raw(header('=f4', [1, 2, 2, 3]), new Uint8Array(48)), Y, "logits l.npy: incorrect descriptor ('=f4') for this type"],
  ['bool labels', L, raw(header('|b1', [1, 2, 2]), new Uint8Array(4)), "labels y.npy: dtype '|b1' is not supported, expected an integer type (uint8, int32, int64, …)"],
  ['float labels', L, f4([1, 2, 2]), "labels y.npy: dtype '<f4' is not supported, expected an integer type (uint8, int32, int64, …)"],
  ['<u1 labels', L, raw(header('<u1', [1, 2, 2]), new Uint8Array(4)), "labels y.npy: incorrect descriptor ('<u1') for this type"],
  ['|i4 labels', L, raw(header('|i4', [1, 2, 2]), new Uint8Array(16)), "labels y.npy: incorrect descriptor ('|i4') for this type"],
  ['rank 4 labels', L, npy('|u1', [1, 2, 2, 1], [0, 0, 0, 0]), 'labels y.npy: expected 3 dimensions (B, H, W), got shape [1, 2, 2, 1]'],
  ['shape mismatch', L, npy('|u1', [1, 2, 3], range(6).map(() => 0)), 'labels y.npy have shape [1, 2, 3] but logits l.npy have shape [1, 2, 2, 3]: labels must be (B, H, W) of logits (B, H, W, C)'],
  ['label too large', L, npy('<i8', [1, 2, 2], [0, 0, 3, 0]), 'labels y.npy: label 3 at (b=0, h=1, w=0) is outside 0..2 and is not the ignore index 255'],
  ['negative label', L, npy('<i8', [1, 2, 2], [0, 0, 0, -1]), 'labels y.npy: label -1 at (b=0, h=1, w=1) is outside 0..2 and is not the ignore index 255'],
  ['u64 label', L, raw(header('<u8', [1, 2, 2]), new Uint8Array([...new Uint8Array(8), ...new Uint8Array(8).fill(255), ...new Uint8Array(16)])), 'labels y.npy: label 9223372036854775807 at (b=0, h=0, w=1) is outside 0..2 and is not the ignore index 255'],
  ['empty batch', f4([0, 2, 2, 3]), npy('|u1', [0, 2, 2], []), 'empty batch: logits have shape [0, 2, 2, 3], every dimension must be at least 1'],
  ['NaN logit', npy('<f4', [1, 2, 2, 3], range(12).map((i) => (i === 8 ? NaN : 0))), Y, 'logit NaN at (b=0, h=1, w=0, c=2) is not finite'],
  ['-inf logit', npy('<f4', [1, 2, 2, 3], range(12).map((i) => (i === 4 ? -Infinity : 0))), Y, 'logit -inf at (b=0, h=0, w=1, c=1) is not finite'],
  ['float64 past float32', npy('<f8', [1, 2, 2, 3], range(12).map((i) => (i === 4 ? 1e300 : 0))), Y, 'logit inf at (b=0, h=0, w=1, c=1) is not finite'],
];

const pageMessage = (l, y) => message(() => checkPair(readLogits(l, 'l.npy'), readLabels(y, 'y.npy'), { logitsName: 'l.npy', labelsName: 'y.npy' }));

test('every refusal is the CLI message, on one line', () => {
  for (const [name, l, y, want] of CASES) {
    const got = pageMessage(l, y);
    assert.equal(got, want, name);
    assert.ok(!got.includes('\n'), name);
  }
  // A header that is not a Python literal: one line (the CLI prints a multi-line parser report).
  const bad = raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 3) ", new Uint8Array(48));
  assert.match(pageMessage(bad, Y), /^logits l\.npy: not a valid \.npy file \(error parsing header: error parsing metadata dict: syntax error at character \d+\)$/);
});

test('valid pairs: ignore 255 and the configured ignore index are accepted; labels narrow to int32', () => {
  const y = checkPair(readLogits(L, 'l'), readLabels(Y, 'y'));
  assert.ok(y instanceof Int32Array);
  assert.deepEqual([...y], [0, 1, 255, 2]);
  const neg = readLabels(npy('<i4', [1, 2, 2], [0, -1, 2, 1]), 'y');
  assert.deepEqual([...checkPair(readLogits(L, 'l'), neg, { ignoreIndex: -1 })], [0, -1, 2, 1]);
  assert.match(message(() => checkPair(readLogits(L, 'l'), readLabels(Y, 'y'), { ignoreIndex: -1 })), /label 255 .* ignore index -1/);
  // Python's own header spelling (double quotes, no trailing comma) parses too.
  const dq = raw('{"descr": "<f4", "fortran_order": False, "shape": (1, 2, 2, 3)}', new Uint8Array(48));
  assert.deepEqual(readLogits(dq, 'x').shape, [1, 2, 2, 3]);
});

/** Runs `body(dir)` in a fresh directory where the CLI is built; skips, saying why, where not. */
function withCli(t, body) {
  if (!existsSync(BIN)) {
    const why = `no dicelab binary at ${BIN} (cargo build, or set DICELAB_BIN)`;
    console.log(`# SKIPPED: ${why}`);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dicelab-npy-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the CLI refuses the same files in the same words', (t) => {
  withCli(t, (dir) => {
    for (const [name, l, y, want] of CASES) {
      writeFileSync(join(dir, 'l.npy'), l);
      writeFileSync(join(dir, 'y.npy'), y);
      const r = spawnSync(BIN, ['loss', '--logits', 'l.npy', '--labels', 'y.npy'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 2, name);
      assert.equal(r.stderr.trim(), `dicelab: error: ${want}`, name);
    }
  });
});

test('the CLI reads what the page reads, and the page writes its gradient file byte for byte', (t) => {
  withCli(t, (dir) => {
    const shape = [2, 3, 4, 3];
    const logits = range(72).map((i) => Math.sin(i * 1.7) * 3);
    const labels = range(24).map((i) => (i % 7 === 0 ? 255 : i % 3));
    const run = (l, y) => {
      writeFileSync(join(dir, 'l.npy'), l);
      writeFileSync(join(dir, 'y.npy'), y);
      const out = execFileSync(BIN, ['loss', '--logits', 'l.npy', '--labels', 'y.npy', '--grad-out', 'g.npy', '--per-image'], { cwd: dir, encoding: 'utf8' });
      return { loss: JSON.parse(out).loss, grad: new Uint8Array(readFileSync(join(dir, 'g.npy'))) };
    };
    const ref = run(npy('<f4', shape, logits), npy('|u1', [2, 3, 4], labels));
    // Byte order, Fortran order, float64 and wide label types change nothing, for the CLI as for the page.
    for (const [l, y] of [
      [npy('>f4', shape, logits, { fortran: true }), npy('>i8', [2, 3, 4], labels, { fortran: true })],
      [npy('<f8', shape, logits.map(Math.fround), { major: 3 }), npy('<u2', [2, 3, 4], labels, { major: 2 })],
    ]) {
      const r = run(l, y);
      assert.equal(r.loss, ref.loss);
      assert.deepEqual(r.grad, ref.grad);
      assert.deepEqual(readLogits(l, 'l').data, readLogits(npy('<f4', shape, logits), 'l').data);
      assert.deepEqual(checkPair(readLogits(l, 'l'), readLabels(y, 'y')), Int32Array.from(labels));
    }
    const g = readLogits(ref.grad, 'g.npy');
    assert.deepEqual(g.shape, shape);
    assert.deepEqual(gradNpy(g.shape, g.data), ref.grad);
  });
});
