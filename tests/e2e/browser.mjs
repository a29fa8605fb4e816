// Launches Debian's headless Chromium through playwright-core, with or without WebGPU, and collects
// console errors and every request the page makes.
import { deepEqual } from 'node:assert/strict';
import { chromium } from 'playwright-core';

const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A fresh browser (playwright gives it a new profile); `webgpu` adds `--enable-unsafe-webgpu`.
 * DICELAB_CHROMIUM names another Chromium and DICELAB_CHROMIUM_ARGS adds flags (tools/gpu-bench.sh:
 * a hardware GPU's flags). */
export async function launch({ webgpu }) {
  const args = [...FLAGS, ...(process.env.DICELAB_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: process.env.DICELAB_CHROMIUM || '/usr/bin/chromium', args, headless: true });
}

/** A new page that records console errors, page errors and request URLs. */
export async function openPage(browser) {
  const page = await browser.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}

/**
 * Runs `fn({page, errors, requests})` in a fresh browser without WebGPU at `viewport`, then checks
 * that the page logged no error and requested nothing outside `origin`.
 */
export async function withPage(origin, fn, viewport = { width: 1280, height: 800 }) {
  const browser = await launch({ webgpu: false });
  try {
    const ctx = await openPage(browser);
    await ctx.page.setViewportSize(viewport);
    await fn(ctx);
    deepEqual(ctx.errors, [], 'console errors');
    deepEqual(ctx.requests.filter((u) => !u.startsWith(origin)), [], 'requests left localhost');
  } finally {
    await browser.close();
  }
}
