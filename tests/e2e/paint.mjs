// Painting by hand in the "Your image" editor, for the end-to-end tests: a test PNG, mouse clicks
// of a parallelogram's corners, and a brush stroke by synthesised touch pointer events.
import { encodePng } from '../../www/own/pngpair.js';

/** A 320×240 RGB PNG with a smooth pattern (the working size will be 256×192). */
export async function testPng() {
  const [w, h] = [320, 240];
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      px.set([(x * 255) / w, (y * 255) / h, 128 + 100 * Math.sin((x + y) / 20)], 3 * (y * w + x));
    }
  }
  return Buffer.from(await encodePng(w, h, 3, px));
}

/** The page point of image pixel coordinates (x, y) on the editor's canvas. */
async function toPage(page, [x, y]) {
  const canvas = page.locator('.own canvas');
  const box = await canvas.boundingBox();
  const [w, h] = await canvas.evaluate((c) => [c.width, c.height]);
  return [box.x + (x * box.width) / w, box.y + (y * box.height) / h];
}

/** Clicks the three corners of a parallelogram, in image pixels. */
export async function clickParallelogram(page, corners) {
  for (const c of corners) {
    const [x, y] = await toPage(page, c);
    await page.mouse.click(x, y);
  }
}

/** A brush stroke by synthesised touch pointer events (a finger, not a mouse). */
export async function touchStroke(page, from, to, steps = 12) {
  const pts = [];
  for (let k = 0; k <= steps; k++) pts.push(await toPage(page, [from[0] + ((to[0] - from[0]) * k) / steps, from[1] + ((to[1] - from[1]) * k) / steps]));
  await page.evaluate((points) => {
    const canvas = document.querySelector('.own canvas');
    const fire = (type, [clientX, clientY]) => canvas.dispatchEvent(new PointerEvent(type, {
      pointerId: 42, pointerType: 'touch', isPrimary: true, clientX, clientY, button: type === 'pointermove' ? -1 : 0,
      buttons: type === 'pointerup' ? 0 : 1, bubbles: true, cancelable: true,
    }));
    fire('pointerdown', points[0]);
    for (const p of points.slice(1)) fire('pointermove', p);
    fire('pointerup', points.at(-1));
  }, pts);
}
