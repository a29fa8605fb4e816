// The page's other two wasm modules, built beside the one Trunk builds (`dicelab.js`, features
// `gpu`: the playground with WebGPU):
//   cpu/    no features: the CPU engine alone, which the playground loads where the browser has no
//           WebGPU (www/engine.js chooses);
//   bench/  features `extras`: the playground's engine plus the benchmark runs for bench.html.
// Each is `cargo build` → wasm-bindgen → wasm-opt, with the arguments Trunk itself uses, into
// Trunk's staging directory. Called by tools/post_build.mjs; the builds share Trunk's target
// directory (only this crate is rebuilt per feature set, its dependencies are shared).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export const VARIANTS = [
  { dir: 'cpu', features: [] },
  { dir: 'bench', features: ['extras'] },
];

function run(command, args, root) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}`);
}

/** Builds every variant into `staging/<dir>/`; `release` as Trunk's `--release`. */
export function buildVariants(root, staging, release) {
  const profile = release ? 'wasm-release' : 'dev';
  const wasmDir = join(root, 'target', 'wasm32-unknown-unknown', release ? 'wasm-release' : 'debug');
  const localOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
  const wasmOpt = existsSync(localOpt) ? localOpt : 'wasm-opt';
  for (const { dir, features } of VARIANTS) {
    const cargo = ['build', '--lib', '--target=wasm32-unknown-unknown', `--profile=${profile}`, '--offline', '--no-default-features'];
    if (features.length) cargo.push(`--features=${features.join(',')}`);
    run('cargo', cargo, root);
    const out = join(staging, dir);
    mkdirSync(out, { recursive: true });
    run('wasm-bindgen', ['--target=web', `--out-dir=${out}`, '--out-name=dicelab', '--no-typescript', join(wasmDir, 'dicelab.wasm')], root);
    // As Trunk's `data-wasm-opt="z"`: the module's own feature section says what it may use.
    if (release) {
      const wasm = join(out, 'dicelab_bg.wasm');
      run(wasmOpt, [`--output=${wasm}.opt`, '-Oz', wasm], root);
      renameSync(`${wasm}.opt`, wasm);
    }
  }
}
