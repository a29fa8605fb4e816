// The playground's first-visit bundles (gzip -9), as BENCHMARKS.md reports them. Run alone,
// `node bench/bundles.mjs [dist]` prints the two totals.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');

/** The playground's two bundles, each what a visitor's browser fetches: www/*.js and the CSS, plus
 * the WebGPU build (dicelab.js + dicelab_bg.wasm) where the browser has WebGPU, or the CPU-only
 * build (cpu/) where it has none (www/engine.js chooses). */
export function bundles(dist = resolve(ROOT, 'dist')) {
  const file = (name) => {
    const body = readFileSync(resolve(dist, name));
    return { name, raw: body.length, gz: gzipSync(body, { level: 9 }).length };
  };
  // What a first visit fetches: the page's stylesheet and the static import closure of its two
  // entry points; chunks reached only through import() (the formula panel, the code generator)
  // load when their panels come near the screen and are not counted.
  const first = new Set();
  const queue = ['app.js', 'worker.js'];
  while (queue.length) {
    const name = queue.pop();
    if (first.has(name)) continue;
    first.add(name);
    const src = readFileSync(resolve(dist, 'www', name), 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*["']\.\/([\w.-]+\.js)["']/g)) queue.push(m[1]);
  }
  const www = readdirSync(resolve(dist, 'www'))
    .filter((n) => n.endsWith('.css') || first.has(n))
    .map((n) => file(`www/${n}`));
  const sum = (files, k) => files.reduce((s, x) => s + x[k], 0);
  const of = (label, dir) => {
    const own = ['dicelab_bg.wasm', 'dicelab.js'].map((n) => file(`${dir}${n}`));
    const files = [...own, ...www];
    return { label, own, files, gz: sum(files, 'gz'), raw: sum(files, 'raw') };
  };
  const cpu = of('without WebGPU (CPU-only build)', 'cpu/');
  // The relaxed-SIMD twin of the CPU-only build (fetched instead of it where the browser runs
  // relaxed SIMD): its difference in gzipped bytes.
  const cpuFmaDelta = sum(of('', 'cpu-fma/').own, 'gz') - sum(cpu.own, 'gz');
  return { www, wwwGz: sum(www, 'gz'), wwwRaw: sum(www, 'raw'), gpu: of('with WebGPU', ''), cpu, cpuFmaDelta };
}

if (process.argv[1] === import.meta.filename) {
  const b = bundles(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const x of [b.gpu, b.cpu]) console.log(`${x.label}: ${(x.gz / 1000).toFixed(1)} KB gzipped (${x.raw} bytes)`);
  console.log(`the CPU-only build's relaxed-SIMD twin: ${b.cpuFmaDelta} bytes gzipped more`);
}
