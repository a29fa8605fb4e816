// Bundles the page's ES modules with esbuild: the two entry points (www/app.js for the page,
// www/worker.js for the training worker) and the chunks they share, minified, replace the dozen
// separate modules in the staged www/. One gzip stream per entry instead of one per module, and
// names shortened across modules: ~2.4 KB less gzipped than the modules minified one by one. The
// wasm-bindgen glue stays a separate module (imported at run time by www/engine.js).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const ENTRIES = ['app.js', 'worker.js'];
/** Modules of www/ that www/bench/ imports, kept beside the bundle. */
const BENCH_IMPORTS = ['fma.js'];
const GLUE = ['../dicelab.js', '../cpu/dicelab.js', '../bench/dicelab.js', '../cpu-fma/dicelab.js', '../bench-fma/dicelab.js'];

/** Bundles `source/www` into `staging/www` (minified); returns the paths of the files written. */
export async function bundle(source, staging) {
  const out = join(staging, 'www');
  const result = await build({
    entryPoints: ENTRIES.map((e) => join(source, 'www', e)),
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    outdir: out,
    chunkNames: 'chunk-[hash]',
    external: GLUE,
    allowOverwrite: true,
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => resolve(p));
  const names = new Set(outputs.map((p) => basename(p)));
  // The separate modules the bundle replaced (www/bench/ is the bench page's, left as it is, with
  // the one module of www/ it imports).
  for (const e of readdirSync(out, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.js') && !names.has(e.name) && !BENCH_IMPORTS.includes(e.name)) rmSync(join(out, e.name));
  }
  // The "your own data" modules are loaded through the bundle's chunks, never from their sources.
  rmSync(join(out, 'own'), { recursive: true, force: true });
  return outputs;
}
