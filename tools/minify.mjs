// Minifies the JavaScript (wasm-bindgen's glue, the bench page's modules) and CSS under a directory,
// file by file. Called by tools/post_build.mjs on Trunk's staging directory after tools/bundle.mjs
// has replaced the playground's own modules with their (already minified) bundle; esbuild is pinned
// in package.json.
import { transform } from 'esbuild';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, extname, resolve } from 'node:path';

const LOADERS = { '.js': 'js', '.css': 'css' };

/** Every file under `d`, recursively. */
function* files(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** Minifies every .js and .css file under `dir` in place, but the paths in `skip` (already
 * minified); returns the bytes before and after. */
export async function minify(dir, skip = new Set()) {
  let before = 0;
  let after = 0;
  for (const path of files(dir)) {
    const loader = LOADERS[extname(path)];
    if (!loader || skip.has(resolve(path))) continue;
    const source = readFileSync(path, 'utf8');
    const { code } = await transform(source, { loader, minify: true, format: loader === 'js' ? 'esm' : undefined, target: 'es2022' });
    writeFileSync(path, code);
    before += source.length;
    after += code.length;
  }
  return { before, after };
}
