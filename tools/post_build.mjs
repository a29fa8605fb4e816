// Trunk's post-build hook (Trunk.toml): builds the page's other wasm modules (tools/variants.mjs),
// bundles the page's own modules (tools/bundle.mjs, minified), then minifies the rest of the staged
// JS and CSS (tools/minify.mjs). One hook, because Trunk runs the hooks of a stage side by side and
// each step needs the one before.
import { buildVariants } from './variants.mjs';
import { minify } from './minify.mjs';
import { bundle } from './bundle.mjs';
import { basename } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR;
if (!staging || !source) {
  console.error('post_build.mjs: TRUNK_STAGING_DIR / TRUNK_SOURCE_DIR are not set (run through Trunk)');
  process.exit(2);
}
try {
  buildVariants(source, staging, process.env.TRUNK_PROFILE === 'release');
} catch (e) {
  console.error(`post_build.mjs: ${e.message}`);
  process.exit(1);
}
const outputs = await bundle(source, staging);
console.log(`post_build.mjs: www bundled into ${outputs.map((p) => basename(p)).join(', ')}`);
const { before, after } = await minify(staging, new Set(outputs));
console.log(`post_build.mjs: other JS and CSS ${before} -> ${after} bytes`);
