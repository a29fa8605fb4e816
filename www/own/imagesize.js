// An image's size from its first bytes (PNG IHDR, JPEG SOF), so that a huge image is refused before
// the browser decodes it into memory, and the rule that turns an image's size into the net's working
// size (long side at most 256, aspect kept, never upscaled). Pure: no DOM, runs in node.

import { OWN_SIDE } from '../schema.js';

/** The short side the working image needs (the smallest crop the net trains on; a smaller image is
 * refused, never upscaled) and its long side, as the engine accepts them (src/data/config.rs). */
export const [MIN_SIDE, MAX_SIDE] = OWN_SIDE;
/** Decoding is refused past this many pixels (an RGBA decode of 40 MP is 160 MB). */
export const MAX_PIXELS = 40e6;

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The type and size an image file declares. Throws a one-line message for anything else.
 * @param {Uint8Array} bytes the file, or at least its first bytes (a JPEG's size may follow 64 KB+
 *   of metadata: pass the whole file when in doubt)
 * @returns {{type: 'png'|'jpeg', width: number, height: number}}
 */
export function imageSize(bytes) {
  if (bytes.length === 0) throw new Error('the file is empty');
  if (PNG_SIG.every((b, i) => bytes[i] === b)) return pngSize(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegSize(bytes);
  throw new Error('not a PNG or JPEG image');
}

const u16 = (b, i) => (b[i] << 8) | b[i + 1];
const u32 = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];

function pngSize(b) {
  // The signature, then IHDR (length 13) must be the first chunk.
  if (b.length < 24) throw new Error('corrupt PNG: the file ends inside its header');
  if (u32(b, 8) !== 13 || String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR') {
    throw new Error('corrupt PNG: it does not start with an IHDR chunk');
  }
  const width = u32(b, 16);
  const height = u32(b, 20);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new Error(`corrupt PNG: its size ${width}×${height} is invalid`);
  }
  return { type: 'png', width, height };
}

function jpegSize(b) {
  // Markers from SOI on: each is 0xFF (any number of fill 0xFF) and a code; most carry a length.
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) throw new Error('corrupt JPEG: a marker was expected');
    while (b[i] === 0xff) i++;
    const code = b[i++];
    if (code === undefined) break;
    // Markers without a payload: TEM and the restart markers.
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) continue;
    if (code === 0xd9 || code === 0xda) break; // end of image, or data starts before any frame
    if (i + 2 > b.length) break;
    const len = u16(b, i);
    if (len < 2) throw new Error('corrupt JPEG: a segment has a length below 2');
    // Start of frame: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
    if (code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc) {
      if (i + 7 > b.length) break;
      const height = u16(b, i + 3);
      const width = u16(b, i + 5);
      if (width === 0 || height === 0) throw new Error(`corrupt JPEG: its size ${width}×${height} is invalid`);
      return { type: 'jpeg', width, height };
    }
    i += len;
  }
  throw new Error('corrupt JPEG: no frame header (SOF) gives its size');
}

/**
 * Refuses a decode past the pixel cap.
 * @param {number} width
 * @param {number} height
 * @param {number} [cap]
 */
export function checkPixels(width, height, cap = MAX_PIXELS) {
  if (width * height > cap) {
    const mp = (n) => `${Math.round(n / 1e5) / 10} megapixels`;
    throw new Error(`the image is ${width}×${height} (${mp(width * height)}), more than the ${mp(cap)} this page decodes: make it smaller first`);
  }
}

/**
 * The net's working size: the long side at most `maxSide`, the aspect kept, never upscaled. Throws
 * where the short side would fall below `minSide`.
 * @param {number} width natural width
 * @param {number} height natural height
 * @param {{maxSide?: number, minSide?: number}} [opts]
 * @returns {{width: number, height: number, scaled: boolean}}
 */
export function workingSize(width, height, { maxSide = MAX_SIDE, minSide = MIN_SIDE } = {}) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (Math.min(w, h) < minSide) {
    const becomes = scale < 1 ? `, ${w}×${h} at the working size,` : '';
    throw new Error(`the image is ${width}×${height}${becomes} too small: its short side must be at least ${minSide} pixels with the long side at most ${maxSide}`);
  }
  return { width: w, height: h, scaled: scale < 1 };
}
