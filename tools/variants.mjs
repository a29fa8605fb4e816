// The page's other wasm modules, built beside the one Trunk builds (`dicelab.js`, features `gpu`:
// the playground with WebGPU):
//   cpu/    no features: the CPU engine alone, which the playground loads where the browser offers
//           no usable WebGPU adapter (www/engine.js chooses);
//   bench/  features `extras`: the full engine (docs/losses.md Part 2's losses too, feature `part2`)
//           plus the benchmark runs for bench.html; the playground fetches it when a run asks for
//           a loss the two others leave out;
//   cpu-fma/, bench-fma/  the same two built for relaxed SIMD, for the browsers that run it.
// Each is `cargo build` → wasm-bindgen → wasm-opt, with the arguments Trunk itself uses, into
// Trunk's staging directory. Called by tools/post_build.mjs. The builds share Trunk's target
// directory: the dependencies are built once for the plain builds and once for the relaxed-SIMD
// ones (their own profile), but this crate is linked (LTO) again for each feature set on every
// `trunk build` (a few seconds each here); cargo relinks the shared output file to the feature set
// of each build, so each is read before the next starts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export const VARIANTS = [
  { dir: 'cpu', features: [] },
  { dir: 'bench', features: ['extras'] },
  // The same two for browsers with relaxed SIMD (www/fma.js picks): the kernels' multiply-adds
  // fused. Their own cargo profile keeps their artifacts apart from the plain builds' (the
  // target feature changes every crate's code).
  { dir: 'cpu-fma', features: [], fma: true },
  { dir: 'bench-fma', features: ['extras'], fma: true },
];

/** The target features of a relaxed-SIMD build (`.cargo/config.toml` gives the plain ones). */
const FMA_RUSTFLAGS = '-C target-feature=+simd128,+relaxed-simd';

function run(command, args, root) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}`);
}

/** Runs `cargo build …` and returns the path of the `.wasm` it built, as cargo reports it (so a
 * `CARGO_TARGET_DIR` or `build.target-dir` is followed). */
function cargoWasm(args, root, env = {}) {
  const r = spawnSync('cargo', [...args, '--message-format=json-render-diagnostics'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`cargo: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cargo ${args.join(' ')} exited with ${r.status}`);
  const wasm = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((m) => m.reason === 'compiler-artifact' && m.target?.name === 'dicelab')
    .flatMap((m) => m.filenames)
    .find((f) => f.endsWith('.wasm'));
  if (!wasm) throw new Error(`cargo ${args.join(' ')} reported no dicelab .wasm`);
  return wasm;
}

/** Builds every variant into `staging/<dir>/`; `release` as Trunk's `--release`. */
export function buildVariants(root, staging, release) {
  const profile = release ? 'wasm-release' : 'dev';
  const localOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
  const wasmOpt = existsSync(localOpt) ? localOpt : 'wasm-opt';
  for (const { dir, features, fma } of VARIANTS) {
    const cargo = ['build', '--lib', '--target=wasm32-unknown-unknown', `--profile=${fma ? `${profile}-fma` : profile}`, '--offline', '--no-default-features'];
    if (features.length) cargo.push(`--features=${features.join(',')}`);
    const built = cargoWasm(cargo, root, fma ? { CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: FMA_RUSTFLAGS } : {});
    const out = join(staging, dir);
    mkdirSync(out, { recursive: true });
    run('wasm-bindgen', ['--target=web', `--out-dir=${out}`, '--out-name=dicelab', '--no-typescript', built], root);
    // As Trunk's `data-wasm-opt="z"`: the module's own feature section says what it may use.
    if (release) {
      const wasm = join(out, 'dicelab_bg.wasm');
      run(wasmOpt, [`--output=${wasm}.opt`, '-Oz', ...(fma ? ['--enable-relaxed-simd'] : []), wasm], root);
      renameSync(`${wasm}.opt`, wasm);
    }
  }
}
