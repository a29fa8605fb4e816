// Export and import of a painting: a PNG pair (the image as 8-bit RGB, the labels as 8-bit
// grayscale with 255 = ignore, the class names and colours in a tEXt chunk of the label PNG) or an
// .npy pair (image float32 (H, W, 3) in 0–1, labels uint8 (H, W)). PNGs are written here, not by a
// canvas: a canvas cannot write grayscale, and a label PNG must hold exactly the label values.
// Import takes what a user drops: one image, or a pair in either format, told apart by content.

import { imageSize, MAX_SIDE, MIN_SIDE } from './imagesize.js';
import { parseNpy, readFloats, readLabels, imageNpy, labelsNpy, shapeText } from './npy.js';
import { IGNORE, MAX_CLASSES, MIN_CLASSES, defaultClasses } from './paint.js';
import { decodeGray, decodeImage, fileBytes } from './decode.js';

const CLASSES_KEY = 'dicelab-classes';

let crcTable;
function crc32(bytes) {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let k = 0; k < 4; k++) out[4 + k] = type.charCodeAt(k);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * An 8-bit PNG, grayscale (1 channel) or RGB (3), with optional Latin-1 tEXt entries.
 * @param {number} width
 * @param {number} height
 * @param {1|3} channels
 * @param {Uint8Array} pixels row-major, `channels` bytes a pixel
 * @param {Record<string, string>} [text]
 * @returns {Promise<Uint8Array>}
 */
export async function encodePng(width, height, channels, pixels, text = {}) {
  const row = width * channels;
  const raw = new Uint8Array((row + 1) * height); // filter type 0 (none) before each row
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const zlib = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8);
  const latin1 = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...Object.entries(text).map(([k, v]) => chunk('tEXt', latin1(`${k}\0${v}`))),
    chunk('IDAT', zlib),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/**
 * The tEXt entries and colour type of a PNG, read from its chunks (no decoding).
 * @param {Uint8Array} bytes
 * @returns {{text: Record<string, string>, colorType: number}}
 */
export function pngInfo(bytes) {
  const text = {};
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length;) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT' || at + 12 + len > bytes.length) break;
    if (type === 'tEXt') {
      const data = bytes.subarray(at + 8, at + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0) text[String.fromCharCode(...data.subarray(0, nul))] = String.fromCharCode(...data.subarray(nul + 1));
    }
    at += 12 + len;
  }
  return { text, colorType: bytes[25] };
}

// Class names may hold any character; tEXt is Latin-1: JSON with every non-ASCII escaped.
const asciiJson = (v) => JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const to8 = (v) => Math.round(Math.min(1, Math.max(0, v)) * 255);

/**
 * The PNG pair of a painting: image.png (RGB) and labels.png (grayscale, classes in tEXt).
 * @param {{width: number, height: number, rgb: Float32Array, labels: Uint8Array, classes: {name: string, color: string}[]}} s
 * @returns {Promise<{name: string, blob: Blob}[]>}
 */
export async function exportPngPair(s) {
  const image = await encodePng(s.width, s.height, 3, Uint8Array.from(s.rgb, to8));
  const labels = await encodePng(s.width, s.height, 1, s.labels, { [CLASSES_KEY]: asciiJson(s.classes) });
  return [
    { name: 'image.png', blob: new Blob([image], { type: 'image/png' }) },
    { name: 'labels.png', blob: new Blob([labels], { type: 'image/png' }) },
  ];
}

/**
 * The .npy pair of a painting.
 * @param {{width: number, height: number, rgb: Float32Array, labels: Uint8Array}} s
 * @returns {{name: string, blob: Blob}[]}
 */
export function exportNpyPair(s) {
  return [
    { name: 'image.npy', blob: new Blob([imageNpy(s.height, s.width, s.rgb)], { type: 'application/octet-stream' }) },
    { name: 'labels.npy', blob: new Blob([labelsNpy(s.height, s.width, s.labels)], { type: 'application/octet-stream' }) },
  ];
}

/**
 * Checks imported labels (0..7 or 255; fewer than `classes` when that is known) and returns the
 * class count they imply.
 * @param {ArrayLike<number|bigint>} values
 * @param {number} width
 * @param {number|null} classes
 * @param {string} name
 */
export function labelClasses(values, width, classes, name) {
  const limit = classes ?? MAX_CLASSES;
  let top = MIN_CLASSES - 1;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v === IGNORE) continue;
    if (!(v >= 0 && v < limit)) {
      throw new Error(`${name}: label ${values[i]} at (h=${Math.floor(i / width)}, w=${i % width}) is outside 0..${limit - 1} and is not the ignore index 255`);
    }
    if (v > top) top = v;
  }
  return classes ?? top + 1;
}

/** Nearest-neighbour resampling of labels to the working size (they follow a downscaled image). */
function resample(labels, from, to) {
  if (from.width === to.width && from.height === to.height) return labels;
  const out = new Uint8Array(to.width * to.height);
  for (let y = 0; y < to.height; y++) {
    const sy = Math.min(from.height - 1, Math.floor(((y + 0.5) * from.height) / to.height));
    for (let x = 0; x < to.width; x++) {
      out[y * to.width + x] = labels[sy * from.width + Math.min(from.width - 1, Math.floor(((x + 0.5) * from.width) / to.width))];
    }
  }
  return out;
}

const isNpy = (b) => b[0] === 0x93 && b[1] === 0x4e && b[2] === 0x55;

/**
 * What the user opened, as a painting: one image (no labels yet), a PNG pair or an .npy pair.
 * Throws a one-line message.
 * @param {File[]} files
 * @returns {Promise<{width: number, height: number, rgb: Float32Array, labels: Uint8Array, classes: {name: string, color: string}[], natural: {width: number, height: number}}>}
 */
export async function importFiles(files) {
  if (files.length === 0 || files.length > 2) {
    throw new Error(`open one image, or a pair (image and labels), not ${files.length} files`);
  }
  const read = await Promise.all(files.map(async (f) => ({ f, name: f.name || 'the file', bytes: await fileBytes(f, f.name || 'the file') })));
  if (read.some((r) => isNpy(r.bytes))) return importNpy(read);
  const pngs = read.map((r) => {
    let info = { text: {}, colorType: -1 };
    try {
      if (imageSize(r.bytes).type === 'png') info = pngInfo(r.bytes);
    } catch {
      // decodeImage says what is wrong with it
    }
    // How likely a file is the labels: our tEXt chunk, then its name, then being grayscale.
    const score = (CLASSES_KEY in info.text ? 4 : 0) + (/label|mask/i.test(r.name) ? 2 : 0) + (info.colorType === 0 ? 1 : 0);
    return { ...r, info, score };
  });
  if (pngs.length === 1) {
    const img = await decodeImage(pngs[0].f, pngs[0].name, pngs[0].bytes);
    return { ...img, labels: new Uint8Array(img.width * img.height).fill(IGNORE), classes: defaultClasses() };
  }
  const [lab, im] = pngs[0].score > pngs[1].score ? pngs : [pngs[1], pngs[0]];
  const img = await decodeImage(im.f, im.name, im.bytes);
  const gray = await decodeGray(lab.f, lab.name, lab.bytes);
  if (gray.width !== img.natural.width || gray.height !== img.natural.height) {
    throw new Error(`${lab.name} is ${gray.width}×${gray.height} but ${im.name} is ${img.natural.width}×${img.natural.height}: labels must be the image's size`);
  }
  let classes = null;
  if (lab.info.text[CLASSES_KEY]) {
    try {
      const c = JSON.parse(lab.info.text[CLASSES_KEY]);
      if (Array.isArray(c) && c.length >= MIN_CLASSES && c.length <= MAX_CLASSES) {
        classes = c.map((x, k) => ({ name: String(x?.name ?? `class ${k}`).slice(0, 40), color: /^#[0-9a-f]{6}$/i.test(x?.color) ? x.color : defaultClasses(MAX_CLASSES)[k].color }));
      }
    } catch {
      // a damaged class list falls back to default names
    }
  }
  const n = labelClasses(gray.gray, gray.width, classes?.length ?? null, lab.name);
  return { ...img, labels: resample(gray.gray, img.natural, img), classes: classes ?? defaultClasses(n) };
}

/** An .npy pair: image (H, W, 3) float in 0–1 and labels (H, W) of any integer type. */
function importNpy(read) {
  if (read.length !== 2) throw new Error('an .npy image needs its labels: open image.npy and labels.npy together');
  // The image is the one of rank 3 (by its header alone); the other one's messages name it labels.
  const rank = (r) => {
    try {
      return parseNpy(r.bytes, r.name).shape.length;
    } catch {
      return 0;
    }
  };
  const [im, lab] = rank(read[0]) === 3 || rank(read[1]) === 2 ? read : [read[1], read[0]];
  const image = readFloats(im.bytes, `image ${im.name}`, 3, '(H, W, 3)');
  const labels = readLabels(lab.bytes, lab.name, 2, '(H, W)');
  const [h, w, c] = image.shape;
  if (c !== 3) throw new Error(`image ${im.name}: expected shape (H, W, 3), got shape ${shapeText(image.shape)}`);
  if (labels.shape[0] !== h || labels.shape[1] !== w) {
    throw new Error(`labels ${lab.name} have shape ${shapeText(labels.shape)} but image ${im.name} has shape ${shapeText(image.shape)}: labels must be (H, W) of the image (H, W, 3)`);
  }
  if (Math.max(h, w) > MAX_SIDE || Math.min(h, w) < MIN_SIDE) {
    throw new Error(`image ${im.name} is ${w}×${h}: an .npy image must already have the working size (long side at most ${MAX_SIDE}, short side at least ${MIN_SIDE})`);
  }
  const bad = image.data.findIndex((v) => !(v >= 0 && v <= 1));
  if (bad >= 0) {
    const p = Math.floor(bad / 3);
    throw new Error(`image ${im.name}: value ${image.data[bad]} at (h=${Math.floor(p / w)}, w=${p % w}, c=${bad % 3}) is outside 0–1 (divide 8-bit values by 255)`);
  }
  const n = labelClasses(labels.data, w, null, `labels ${lab.name}`);
  return { width: w, height: h, rgb: image.data, labels: Uint8Array.from(labels.data, Number), classes: defaultClasses(n), natural: { width: w, height: h } };
}
