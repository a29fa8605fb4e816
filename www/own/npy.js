// `.npy` in the page, by the CLI's rules (src/cli/npy.rs, ndarray-npy underneath): logits float32 or
// float64 (B, H, W, C), labels of any integer type (B, H, W), C or Fortran order, either byte order,
// and every way a file can be wrong as the one-line message `dicelab loss` prints, so that the page
// and the CLI refuse the same files in the same words. Writes the page's exports (image, labels,
// gradient) byte for byte as ndarray-npy writes them. Pure: no DOM, runs in node.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Rust's `{:?}` of a shape: `[1, 2, 3]`. */
export const shapeText = (shape) => `[${shape.join(', ')}]`;

// --- A Python literal, as far as .npy headers use one (py_literal's grammar, its printing). ---

/** Python's repr of a parsed literal, as py_literal prints one in ndarray-npy's messages. */
function repr(v) {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'bigint') return String(v);
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  if (v.float !== undefined) return v.float;
  if (v.tuple) return v.tuple.length === 1 ? `(${repr(v.tuple[0])},)` : `(${v.tuple.map(repr).join(', ')})`;
  if (v.list) return `[${v.list.map(repr).join(', ')}]`;
  return `{${v.dict.map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
}

/** Parses a Python literal (dict, tuple, list, str, int, float, True/False/None); throws a message. */
function parseLiteral(text) {
  let i = 0;
  const fail = () => {
    throw new Error(`error parsing metadata dict: syntax error at character ${i + 1}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const seq = (close) => {
    const out = [];
    for (;;) {
      ws();
      if (text[i] === close) { i++; return out; }
      out.push(value());
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === close) { i++; return out; }
      fail();
    }
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const dict = [];
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return { dict }; }
        const k = value();
        ws();
        if (text[i++] !== ':') { i--; fail(); }
        dict.push([k, value()]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { dict }; }
        fail();
      }
    }
    if (c === '(') {
      i++;
      const start = i;
      const items = seq(')');
      // `(x)` is x, not a tuple; `(x,)` and `()` are tuples.
      if (items.length === 1 && !/,\s*\)$/.test(text.slice(start, i))) return items[0];
      return { tuple: items };
    }
    if (c === '[') { i++; return { list: seq(']') }; }
    if (c === "'" || c === '"') {
      let s = '';
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\') i++;
        s += text[i] ?? '';
      }
      if (i >= text.length) fail();
      i++;
      return s;
    }
    const m = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|True|False|None)/.exec(text.slice(i));
    if (!m) fail();
    i += m[0].length;
    const t = m[0];
    if (t === 'True') return true;
    if (t === 'False') return false;
    if (t === 'None') return null;
    return /^[+-]?\d+$/.test(t) ? BigInt(t) : { float: t };
  };
  const v = value();
  ws();
  if (i < text.length) fail();
  return v;
}

// --- The header. ---

/**
 * Parses and checks a whole `.npy` file as the CLI does before reading data: header, shape size,
 * data present. `where` starts every message (`logits x.npy`). Nothing proportional to the
 * promised data is allocated here.
 * @param {Uint8Array} bytes
 * @param {string} where
 * @returns {{descr: string, fortran: boolean, shape: number[], dims: string, item: number, data: Uint8Array}}
 */
export function parseNpy(bytes, where) {
  const invalid = (why) => new Error(`${where}: not a valid .npy file (${why})`);
  const eof = () => invalid('I/O error: failed to fill whole buffer');
  const parseErr = (why) => invalid(`error parsing header: ${why}`);
  if (bytes.length < 6) throw eof();
  if (MAGIC.some((b, k) => bytes[k] !== b)) throw parseErr('start does not match magic string');
  if (bytes.length < 8) throw eof();
  const [major, minor] = [bytes[6], bytes[7]];
  if (minor !== 0 || major < 1 || major > 3) throw parseErr(`unknown version number: ${major}.${minor}`);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw eof();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes;
  if (bytes.length < start + headerLen) throw eof();
  const raw = bytes.subarray(start, start + headerLen);
  if (raw[raw.length - 1] !== 0x0a) throw parseErr('newline missing at end of header');
  const body = raw.subarray(0, raw.length - 1);
  let text;
  if (major < 3) {
    if (body.some((b) => b > 0x7f)) {
      throw parseErr('non-ascii in array format string; this is not supported in .npy format versions 1.0 and 2.0');
    }
    text = new TextDecoder().decode(body);
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw parseErr('error parsing array format string as UTF-8: invalid utf-8 sequence');
    }
  }
  let meta;
  try {
    meta = parseLiteral(text);
  } catch (e) {
    throw parseErr(e.message);
  }
  if (!meta || !meta.dict) throw parseErr(`metadata is not a dict: ${repr(meta)}`);
  // ndarray-npy reads the keys in order and stops at the first bad one, then names a missing one.
  let descr; let fortran; let shape;
  for (const [k, v] of meta.dict) {
    if (k === 'descr') descr = v;
    else if (k === 'fortran_order') {
      if (typeof v !== 'boolean') throw parseErr(`illegal value for key fortran_order: ${repr(v)}`);
      fortran = v;
    } else if (k === 'shape') {
      const ok = v && v.tuple && v.tuple.every((d) => typeof d === 'bigint' && d >= 0n && d <= U64_MAX);
      if (!ok) throw parseErr(`illegal value for key shape: ${repr(v)}`);
      shape = v.tuple;
    } else throw parseErr(`unknown key: ${repr(k)}`);
  }
  // The CLI's library misspells the last one "shaper"; the page says what is meant.
  for (const [name, got] of [['descr', descr], ['fortran_order', fortran], ['shape', shape]]) {
    if (got === undefined) throw parseErr(`missing key: ${name}`);
  }
  if (typeof descr !== 'string') throw new Error(`${where}: unsupported structured dtype ${repr(descr)}`);
  // The CLI's size rules, in exact integers: refused before anything is allocated.
  const itemText = descr.slice(2);
  const item = /^\+?\d+$/.test(itemText) ? Number(itemText) : 0;
  const big = BigInt(item);
  const nonZero = shape.filter((d) => d !== 0n).reduce((a, d) => a * d, big > 0n ? big : 1n);
  if (nonZero > I64_MAX) throw new Error(`${where}: shape ${shapeText(shape)} is too large`);
  const needed = shape.reduce((a, d) => a * d, big);
  const have = bytes.length - start - headerLen;
  if (needed > BigInt(have)) {
    throw new Error(`${where}: truncated: shape ${shapeText(shape)} of ${descr} needs ${needed} bytes of data, the file has ${have}`);
  }
  // Dimensions as numbers (exact: their product fits the file); `dims` prints them exactly anyway.
  return { descr, fortran, shape: shape.map(Number), dims: shapeText(shape), item, data: bytes.subarray(start + headerLen) };
}

// --- Data. ---

/** Element readers by descriptor, as ndarray-npy accepts them (one-byte types only with `|`). */
const TYPES = {
  '|i1': [Int8Array, 'getInt8'], '|u1': [Uint8Array, 'getUint8'],
  i2: [Int16Array, 'getInt16'], u2: [Uint16Array, 'getUint16'],
  i4: [Int32Array, 'getInt32'], u4: [Uint32Array, 'getUint32'],
  i8: [BigInt64Array, 'getBigInt64'], u8: [BigUint64Array, 'getBigUint64'],
  f4: [Float32Array, 'getFloat32'], f8: [Float64Array, 'getFloat64'],
};

/** The typed-array class and DataView getter for `descr`, or null where ndarray-npy refuses it. */
function reader(descr) {
  if (TYPES[descr]) return TYPES[descr];
  if ((descr[0] === '<' || descr[0] === '>') && descr.length === 3 && descr[2] !== '1') return TYPES[descr.slice(1)] ?? null;
  return null;
}

/**
 * The elements of a parsed file in C order, as a typed array of the file's own type.
 * @param {ReturnType<typeof parseNpy>} f
 * @param {string} where
 */
function elements(f, where) {
  const r = reader(f.descr);
  if (!r) throw new Error(`${where}: incorrect descriptor (${repr(f.descr)}) for this type`);
  const [Type, get] = r;
  const n = f.shape.reduce((a, d) => a * d, 1);
  const extra = f.data.length - n * f.item;
  if (extra > 0) throw new Error(`${where}: file had ${extra} extra bytes before EOF`);
  const out = new Type(n);
  const little = f.descr[0] !== '>';
  const dv = new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength);
  if (!f.fortran || f.shape.length < 2) {
    for (let i = 0; i < n; i++) out[i] = dv[get](i * f.item, little);
    return out;
  }
  // Fortran order: walk the C-order index like an odometer while tracking the Fortran offset.
  const rank = f.shape.length;
  const stride = [];
  for (let k = 0, s = 1; k < rank; k++) { stride.push(s); s *= f.shape[k]; }
  const idx = new Array(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = dv[get](off * f.item, little);
    for (let k = rank - 1; k >= 0; k--) {
      off += stride[k];
      if (++idx[k] < f.shape[k]) break;
      off -= stride[k] * f.shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

function checkRank(where, f, rank, dims) {
  if (f.shape.length !== rank) {
    throw new Error(`${where}: expected ${rank} dimensions ${dims}, got shape ${f.dims}`);
  }
}

const INTEGER = ['|u1', '|i1', 'u2', 'i2', 'u4', 'i4', 'i8', 'u8'];
const isInteger = (descr) => INTEGER.some((t) => (t[0] === '|' ? descr.slice(1) === t.slice(1) : descr.slice(1) === t));
const isFloat = (descr) => descr.slice(1) === 'f4' || descr.slice(1) === 'f8';

/**
 * Logits: float32 or float64 (narrowed to float32, the CLI's contract), rank 4, in C order.
 * @param {Uint8Array} bytes
 * @param {string} name the file's name in messages
 * @returns {{shape: number[], data: Float32Array}}
 */
export function readLogits(bytes, name) {
  const where = `logits ${name}`;
  const f = parseNpy(bytes, where);
  checkRank(where, f, 4, '(B, H, W, C)');
  if (!isFloat(f.descr)) throw new Error(`${where}: dtype '${f.descr}' is not supported, expected float32 or float64`);
  const data = elements(f, where);
  return { shape: f.shape, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/**
 * Labels: any integer type (bool refused, as the CLI does), rank 3, in C order, in the file's own
 * type (64-bit types as BigInt arrays, so a message can print the exact value).
 * @param {Uint8Array} bytes
 * @param {string} name
 * @param {number} [rank] 3 for the CLI's (B, H, W); the page's label import reads rank 2
 * @param {string} [dims] the dimensions' names in the rank message
 * @returns {{shape: number[], data: Int8Array|Uint8Array|Int16Array|Uint16Array|Int32Array|Uint32Array|BigInt64Array|BigUint64Array}}
 */
export function readLabels(bytes, name, rank = 3, dims = '(B, H, W)') {
  const where = `labels ${name}`;
  const f = parseNpy(bytes, where);
  checkRank(where, f, rank, dims);
  if (!isInteger(f.descr)) {
    throw new Error(`${where}: dtype '${f.descr}' is not supported, expected an integer type (uint8, int32, int64, …)`);
  }
  return { shape: f.shape, data: elements(f, where) };
}

/**
 * Reads a float array of a given rank (the page's image import): float32 or float64, as float32.
 * @param {Uint8Array} bytes
 * @param {string} where
 * @param {number} rank
 * @param {string} dims
 */
export function readFloats(bytes, where, rank, dims) {
  const f = parseNpy(bytes, where);
  checkRank(where, f, rank, dims);
  if (!isFloat(f.descr)) throw new Error(`${where}: dtype '${f.descr}' is not supported, expected float32 or float64`);
  const data = elements(f, where);
  return { shape: f.shape, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/** Rust's `{}` of an f32 that is not finite. */
const nonFinite = (v) => (Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf');

/**
 * The label value as the CLI prints it (u64 past i64::MAX saturates, as the CLI widens to i64).
 * @param {number|bigint} v
 */
const labelText = (v) => (typeof v === 'bigint' && v > I64_MAX ? String(I64_MAX) : String(v));

/**
 * Checks logits and labels together in the CLI's order (shapes, labels, empty batch, finite logits)
 * and narrows the labels to int32. The loss configuration's own checks stay with the engine.
 * @param {{shape: number[], data: Float32Array}} logits
 * @param {{shape: number[], data: ArrayLike<number|bigint>}} labels
 * @param {{ignoreIndex?: number, logitsName?: string, labelsName?: string}} [opts]
 * @returns {Int32Array}
 */
export function checkPair(logits, labels, { ignoreIndex = 255, logitsName = 'logits.npy', labelsName = 'labels.npy' } = {}) {
  const [b, h, w, c] = logits.shape;
  if (labels.shape.length !== 3 || labels.shape.some((d, k) => d !== logits.shape[k])) {
    throw new Error(`labels ${labelsName} have shape ${shapeText(labels.shape)} but logits ${logitsName} have shape ${shapeText(logits.shape)}: labels must be (B, H, W) of logits (B, H, W, C)`);
  }
  const out = new Int32Array(labels.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = labels.data[i];
    const x = Number(v);
    if (x !== ignoreIndex && !(Number.isInteger(x) && x >= 0 && x < c)) {
      const [bi, hi, wi] = [Math.floor(i / (h * w)), Math.floor(i / w) % h, i % w];
      throw new Error(`labels ${labelsName}: label ${labelText(v)} at (b=${bi}, h=${hi}, w=${wi}) is outside 0..${Math.max(c - 1, 0)} and is not the ignore index ${ignoreIndex}`);
    }
    out[i] = x;
  }
  if ([b, h, w, c].includes(0)) {
    throw new Error(`empty batch: logits have shape ${shapeText(logits.shape)}, every dimension must be at least 1`);
  }
  const bad = logits.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const p = Math.floor(bad / c);
    throw new Error(`logit ${nonFinite(logits.data[bad])} at (b=${Math.floor(p / (h * w))}, h=${Math.floor(p / w) % h}, w=${p % w}, c=${bad % c}) is not finite`);
  }
  return out;
}

// --- Writing. ---

/**
 * A `.npy` file of a C-order little-endian array, header byte for byte as ndarray-npy writes it
 * (so the page's grad.npy equals `dicelab loss --grad-out`'s).
 * @param {'<f4'|'|u1'} descr
 * @param {number[]} shape
 * @param {Float32Array|Uint8Array} data
 * @returns {Uint8Array}
 */
export function writeNpy(descr, shape, data) {
  const n = shape.reduce((a, d) => a * d, 1);
  if (data.length !== n) throw new Error(`cannot write shape ${shapeText(shape)}: ${data.length} values`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}}`;
  // Version 1.0 while the header length fits 16 bits; padding to 64 bytes always adds at least one.
  const major = dict.length + 12 <= 0xffff ? 1 : 2;
  const prefix = major === 1 ? 10 : 12;
  const total = prefix + dict.length + 1;
  const padded = total + (64 - (total % 64));
  const out = new Uint8Array(padded + data.byteLength);
  out.set(MAGIC);
  out[6] = major;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, padded - prefix, true);
  else dv.setUint32(8, padded - prefix, true);
  for (let k = 0; k < dict.length; k++) out[prefix + k] = dict.charCodeAt(k);
  out.fill(0x20, prefix + dict.length, padded - 1);
  out[padded - 1] = 0x0a;
  if (LITTLE || data.BYTES_PER_ELEMENT === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), padded);
  } else {
    for (let i = 0; i < n; i++) dv.setFloat32(padded + 4 * i, data[i], true);
  }
  return out;
}

/** The page's image export: float32 (H, W, 3), RGB in 0–1. */
export const imageNpy = (height, width, rgb) => writeNpy('<f4', [height, width, 3], rgb);
/** The page's label export: uint8 (H, W), 255 = ignore. */
export const labelsNpy = (height, width, labels) => writeNpy('|u1', [height, width], labels);
/** The gradient with respect to the logits: float32, the logits' shape (B, H, W, C). */
export const gradNpy = (shape, grad) => writeNpy('<f4', shape, grad);
