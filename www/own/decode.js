// Decoding an image file the user opens into the net's working image: the size is read from the
// header and checked against the pixel cap before the browser decodes anything, then the image is
// decoded (no colour conversion, so the net sees the file's own values), downscaled to the working
// size and read back as RGB floats in 0–1, the synthetic scenes' range. Browser only.

import { imageSize, checkPixels, workingSize } from './imagesize.js';

/** Files past this size are not read at all. */
export const MAX_FILE_BYTES = 100 << 20;

/** A 2D context on a fresh canvas, in a worker or a page. */
function context(width, height) {
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  return canvas.getContext('2d', { willReadFrequently: true });
}

/**
 * A file's bytes, refusing huge files before reading them.
 * @param {Blob} blob
 * @param {string} name
 */
export async function fileBytes(blob, name) {
  if (blob.size > MAX_FILE_BYTES) {
    throw new Error(`${name} is ${Math.round(blob.size / 1048576)} MB, more than the ${MAX_FILE_BYTES >> 20} MB this page reads`);
  }
  return new Uint8Array(await blob.arrayBuffer());
}

/** Decodes after the header check; the bitmap must be closed by the caller. */
async function bitmap(blob, bytes, name) {
  let size;
  try {
    size = imageSize(bytes);
    checkPixels(size.width, size.height);
  } catch (e) {
    throw new Error(`${name}: ${e.message}`);
  }
  try {
    return await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error(`${name}: corrupt ${size.type.toUpperCase()}: the browser cannot decode it`);
  }
}

/**
 * An image file as the working image; transparent pixels are shown over white.
 * @param {Blob} blob
 * @param {string} [name]
 * @param {Uint8Array} [bytes] the file's bytes when already read
 * @returns {Promise<{width: number, height: number, rgb: Float32Array, natural: {width: number, height: number}}>}
 */
export async function decodeImage(blob, name = 'the file', bytes) {
  const bm = await bitmap(blob, bytes ?? (await fileBytes(blob, name)), name);
  try {
    const natural = { width: bm.width, height: bm.height };
    let size;
    try {
      size = workingSize(bm.width, bm.height);
    } catch (e) {
      throw new Error(`${name}: ${e.message}`);
    }
    const ctx = context(size.width, size.height);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size.width, size.height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bm, 0, 0, size.width, size.height);
    const px = ctx.getImageData(0, 0, size.width, size.height).data;
    const rgb = new Float32Array(size.width * size.height * 3);
    for (let i = 0, j = 0; i < px.length; i += 4, j += 3) {
      rgb[j] = px[i] / 255;
      rgb[j + 1] = px[i + 1] / 255;
      rgb[j + 2] = px[i + 2] / 255;
    }
    return { width: size.width, height: size.height, rgb, natural };
  } finally {
    bm.close();
  }
}

/**
 * A grayscale 8-bit label image at its natural size, each pixel's gray value (R = G = B checked).
 * @param {Blob} blob
 * @param {string} name
 * @param {Uint8Array} [bytes]
 * @returns {Promise<{width: number, height: number, gray: Uint8Array}>}
 */
export async function decodeGray(blob, name, bytes) {
  const bm = await bitmap(blob, bytes ?? (await fileBytes(blob, name)), name);
  try {
    const { width, height } = bm;
    const ctx = context(width, height);
    ctx.drawImage(bm, 0, 0);
    const px = ctx.getImageData(0, 0, width, height).data;
    const gray = new Uint8Array(width * height);
    for (let i = 0; i < gray.length; i++) {
      const [r, g, b, a] = [px[4 * i], px[4 * i + 1], px[4 * i + 2], px[4 * i + 3]];
      if (r !== g || g !== b || a !== 255) {
        throw new Error(`${name}: pixel (h=${Math.floor(i / width)}, w=${i % width}) is not an opaque gray: a label image must be grayscale, one label a pixel`);
      }
      gray[i] = r;
    }
    return { width, height, gray };
  } finally {
    bm.close();
  }
}
