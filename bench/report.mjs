// Reads the JSON that `cargo xtask bench` left in DIR (browser.json, train-dice.json, train-ce.json,
// loss.json), measures the playground bundle in dist/ (gzipped), and writes BENCHMARKS.md (tables,
// machine, versions, date) and DIR/bench.json (everything, including the goals' verdicts).
//
// Usage: node bench/report.mjs DIR
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { bundles } from './bundles.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = resolve(process.argv[2] ?? 'target/bench');
const read = (f) => (existsSync(resolve(DIR, f)) ? JSON.parse(readFileSync(resolve(DIR, f), 'utf8')) : null);
const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const kb = (b) => `${(b / 1000).toFixed(1)} KB`; // KB = 1000 bytes, as the targets

const ENGINES = ['dicelab', 'dicelab-simd128', 'dicelab-gpu', 'tfjs-wasm-simd', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu', 'tfjs-cpu'];
const TFJS = ENGINES.filter((e) => e.startsWith('tfjs-'));
const SIZES = [
  [4, 48],
  [8, 64],
];

function browserTables(browser, loss) {
  // The timed runs: not the construction probes, not the step profiles.
  const ok = browser.results.filter((r) => !r.error && !r.skipped && !r.probe && !r.profileRun && r.loss === loss);
  const runsOf = (e, b, s, flag) => ok.filter((r) => r.engine === e && r.batch === b && r.size === s && (flag === undefined || r.webgpuFlag === flag));
  // The reference runs of each size: dicelab's CPU engine without the WebGPU flag (dicelab-gpu
  // only ever runs with it).
  const flagOf = (e) => (e === 'dicelab' ? false : e === 'dicelab-gpu' ? true : undefined);
  const rows = [];
  for (const e of ENGINES) {
    const cells = SIZES.map(([b, s]) => {
      const rs = runsOf(e, b, s, flagOf(e));
      if (!rs.length) return null;
      const stepsPerS = median(rs.map((r) => r.stepsPerS));
      // ours/theirs: each run of theirs against dicelab in the same browser and round.
      const ratios = rs.map((r) => {
        const ours = runsOf('dicelab', b, s, r.webgpuFlag).find((o) => o.round === r.round);
        return ours ? ours.stepsPerS / r.stepsPerS : NaN;
      });
      // The WebGPU engine's median against this engine's (different browsers for the tfjs
      // backends other than webgpu: the same machine, one after the other).
      const gpu = median(runsOf('dicelab-gpu', b, s, true).map((r) => r.stepsPerS));
      return {
        stepsPerS,
        ratio: e === 'dicelab' ? 1 : median(ratios.filter(Number.isFinite)),
        gpuRatio: gpu / stepsPerS,
        loadMs: median(rs.map((r) => r.loadToFirstMs)),
        diff: Math.max(...rs.map((r) => r.firstDiff ?? NaN)),
        gpuCpuDiff: Math.max(...rs.map((r) => r.gpuCpuDiff ?? NaN)),
        gpuCpuTolerance: rs[0].gpuCpuTolerance,
        adapter: rs[0].adapter,
        steps: rs[0].reps.map((x) => x.steps).join('/'),
        construction: rs[0].construction,
        gflops: median(rs.map((r) => r.gflops ?? NaN)),
        peak: median(rs.map((r) => r.simdPeakGflops ?? NaN)),
        pctOfPeak: median(rs.map((r) => r.pctOfPeak ?? NaN)),
        gz: rs[0].gzBytes,
        runs: rs.length,
      };
    });
    if (cells.every((c) => c === null)) continue;
    rows.push({ engine: e, cells });
  }
  const errors = browser.results.filter((r) => r.error && !r.probe && r.loss === loss).map((r) => `${r.engine} ${r.batch}×${r.size}: ${r.error}`);
  const skipped = browser.results
    .filter((r) => r.skipped && !r.probe && r.loss === loss)
    // The reason's first clause (the adapter probe's details stay in bench.json).
    .map((r) => `${r.engine} ${r.batch}×${r.size} (${r.webgpuFlag ? 'with' : 'without'} --enable-unsafe-webgpu): ${r.skipped.split(' (')[0]}`);
  return { rows, errors, skipped };
}

function browserMd({ rows, errors, skipped }, loss) {
  const head = `| engine (${loss}) | steps/s 4×48 | dicelab CPU / it | dicelab-gpu / it | steps/s 8×64 | dicelab CPU / it | dicelab-gpu / it | load → first step 4×48 / 8×64 | gz transferred | max \\|first − check\\| | steps per rep |\n|---|---|---|---|---|---|---|---|---|---|---|`;
  const lines = rows.map(({ engine, cells }) => {
    const [a, b] = cells;
    const c = (x, k, d) => (x ? f(x[k], d) : '–');
    const construction = (a ?? b).construction;
    return `| ${engine}${construction ? ` (${construction})` : ''} | ${c(a, 'stepsPerS', 2)} | ${c(a, 'ratio', 2)}× | ${c(a, 'gpuRatio', 3)}× | ${c(b, 'stepsPerS', 2)} | ${c(b, 'ratio', 2)}× | ${c(b, 'gpuRatio', 3)}× | ${c(a, 'loadMs', 0)} / ${c(b, 'loadMs', 0)} ms | ${kb((a ?? b).gz)} | ${Math.max(a?.diff ?? 0, b?.diff ?? 0).toExponential(1)} | ${a?.steps ?? '–'} ; ${b?.steps ?? '–'} |`;
  });
  const gpu = rows.find((r) => r.engine === 'dicelab-gpu');
  const check = gpu
    ? [
        '',
        `dicelab-gpu ran on the adapter "${(gpu.cells[0] ?? gpu.cells[1]).adapter.trim()}"; its first-step loss against the CPU engine's (same weights and batch): |Δ| ${SIZES.map(([b, s], i) => `${gpu.cells[i] ? gpu.cells[i].gpuCpuDiff.toExponential(1) : '–'} at ${b}×${s}`).join(', ')} (tolerance ${(gpu.cells[0] ?? gpu.cells[1]).gpuCpuTolerance}).`,
      ]
    : [];
  const peak = rows
    .filter((r) => r.engine.startsWith('dicelab') && r.engine !== 'dicelab-gpu' && r.cells.some((c) => Number.isFinite(c?.gflops)))
    .flatMap((ours) => [
      '',
      `${ours.engine}'s CPU step (${(ours.cells[0] ?? ours.cells[1]).construction} build; the convolutions' FLOPs counted from the layer shapes, src/bench/peak.rs): ${SIZES.map(([b, s], i) => {
        const c = ours.cells[i];
        return c ? `${f(c.gflops, 2)} GFLOP/s at ${b}×${s}, ${f(c.pctOfPeak, 1)} % of the same page's SIMD peak (${f(c.peak, 1)} GFLOP/s: independent chains of the kernels' own f32x4 multiply-add)` : `– at ${b}×${s}`;
      }).join('; ')}.`,
    ]);
  return [
    head,
    ...lines,
    ...peak,
    ...check,
    ...(skipped.length ? ['', `Skipped: ${skipped.join('; ')}.`] : []),
    ...(errors.length ? ['', `Did not run: ${errors.join('; ')}.`] : []),
  ].join('\n');
}

/** The construction probes: steps/s of each tfjs engine × construction at 4×48, or why it did not run. */
function probesMd(browser) {
  const probes = browser.results.filter((r) => r.probe);
  if (!probes.length) return '';
  const engines = [...new Set(probes.map((r) => r.engine))];
  const parts = engines.map((e) => {
    const runs = probes.filter((r) => r.engine === e);
    const ran = runs.filter((r) => r.stepsPerS).map((r) => `${r.construction} ${f(r.stepsPerS, 2)}`);
    const not = runs.filter((r) => !r.stepsPerS).map((r) => r.construction);
    return `${e}: ${ran.join(', ') || 'none ran'}${not.length ? ` (${not.join(', ')}: kernels missing)` : ''}`;
  });
  return `Constructions (\`www/bench/tfjs_net.js\`) probed at 4×48, Dice, a few steps each, steps/s; each engine then ran in its fastest: ${parts.join('; ')}.`;
}

/** Where dicelab's CPU step goes (bench.html's step profile, Dice), grouped. */
function profileMd(browser) {
  const runs = browser.results.filter((r) => r.profileRun && r.profile);
  if (!runs.length) return 'No step profile in this run.';
  const groups = [
    ['the images into their bordered buffer', /^input$/],
    ['forward convolutions (bias and ReLU fused)', /forward$/],
    ['weight gradients', / dW$/],
    ['input gradients (the ReLU\'s gradient fused)', / dx$/],
    ['weights flipped for the input gradients', / flip$/],
    ['bias gradients (f64 sums)', / db$/],
    ['loss + ∂L/∂logits (loss::fast, f32 lanes)', /^loss$/],
    ['Adam', /^adam$/],
  ];
  const layers = [0, 1, 2, 3].map((l) => [`of which layer ${l} (forward, dW, db, flip, dx)`, new RegExp(`^L${l} `)]);
  const cols = SIZES.map(([b, s]) => runs.find((r) => r.batch === b && r.size === s));
  const total = (r) => (r ? Object.values(r.profile.pieces).reduce((a, x) => a + x, 0) : NaN);
  const cell = (r, re) => {
    if (!r) return '–';
    const ms = Object.entries(r.profile.pieces).filter(([n]) => re.test(n)).reduce((a, [, x]) => a + x, 0);
    return `${f(ms, 2)} (${f((100 * ms) / total(r), 0)} %)`;
  };
  return [
    `| piece | ${SIZES.map(([b, s]) => `ms/step ${b}×${s}`).join(' | ')} |`,
    `|---|${SIZES.map(() => '---').join('|')}|`,
    ...[...groups, ...layers].map(([name, re]) => `| ${name} | ${cols.map((r) => cell(r, re)).join(' | ')} |`),
    `| **sum of the pieces** (the profiled step) | ${cols.map((r) => (r ? `${f(total(r), 1)} (${f(r.profile.msProfiled, 1)})` : '–')).join(' | ')} |`,
    `| the same page's timed step | ${cols.map((r) => (r ? f(r.msPerStep, 1) : '–')).join(' | ')} |`,
  ].join('\n');
}

function trainMd(dice, ce) {
  const lines = ['| loss | B×H×W | ms/step | steps/s | first loss | protocol |', '|---|---|---|---|---|---|'];
  for (const [name, runs, first, proto] of [
    ['Dice', dice, 'first_dice', 'protocol_dice'],
    ['CE', ce, 'first_ce', 'protocol_ce'],
  ]) {
    for (const r of runs ?? []) {
      lines.push(`| ${name} | ${r.batch}×${r.size}×${r.size} | ${f(r.ms_per_step, 2)} | ${f(r.steps_per_s, 1)} | ${r[first].toFixed(6)} | ${r[proto]} |`);
    }
  }
  return lines.join('\n');
}

// `dicelab bench loss --json` prints one run per engine: `cpu` (the f64 oracle), `cpu-fast`
// (f32 SIMD, 1 thread), `cpu-fast-2t` (2 threads); an older single object is the oracle.
const engine = (d, name) => (Array.isArray(d) ? d.find((x) => x.backend === name) : name === 'cpu' ? d : undefined);

function lossMd(loss) {
  if (!loss || loss.skipped) return `NumPy comparison skipped: ${loss?.skipped ?? 'no result'}.`;
  const lines = [
    `Shape ${loss.shape.join('×')} (B, H, W, C), soft Dice corrected mean, loss + ∂L/∂logits; median of 9 runs; two rounds alternating dicelab and NumPy. Check: dicelab loss ${loss.check.dicelab_loss.toFixed(7)}, NumPy ${loss.check.numpy_loss.toFixed(7)}, gradient max rel. difference ${loss.check.grad_rel_err.toExponential(1)} (${loss.check.agree ? 'agree' : 'DISAGREE'}).`,
    '',
    '| round | engine | dicelab ms | dicelab GB/s | copy GB/s | % of copy | NumPy ms | dicelab / NumPy |',
    '|---|---|---|---|---|---|---|---|',
  ];
  loss.rounds.forEach((r, i) => {
    for (const name of ['cpu', 'cpu-fast', 'cpu-fast-2t']) {
      const d = engine(r.dicelab, name);
      if (!d) continue;
      lines.push(`| ${i + 1} | ${name} | ${f(d.loss_s * 1e3, 2)} | ${f(d.loss_gb_s, 2)} | ${f(d.copy_gb_s, 2)} | ${f(100 * d.ratio_to_copy, 1)} % | ${f(r.numpy_s * 1e3, 1)} | ${f(r.numpy_s / d.loss_s, 1)}× |`);
    }
  });
  const t = loss.torch;
  lines.push('', t?.skipped ? `PyTorch: skipped (${t.skipped}).` : `PyTorch ${t.version} (CPU, 1 thread): ${f(t.loss_s * 1e3, 1)} ms.`);
  return lines.join('\n');
}

function goals(browserDice, loss, b) {
  const cell = (e, i) => browserDice.rows.find((r) => r.engine === e)?.cells[i];
  const vsSimd = [0, 1].map((i) => cell('tfjs-wasm-simd', i)?.ratio);
  const ours = [0, 1].map((i) => cell('dicelab', i));
  const gpu = [0, 1].map((i) => cell('dicelab-gpu', i));
  const gpuVsWebgpu = [0, 1].map((i) => cell('tfjs-webgpu', i)?.gpuRatio);
  // The WebGPU engine against the fastest tfjs backend at each size; met only if every tfjs
  // backend was measured there.
  const vsAll = [0, 1].map((i) => {
    const measured = TFJS.map((e) => [e, cell(e, i)?.gpuRatio]).filter(([, r]) => Number.isFinite(r));
    const [name, ratio] = measured.sort((x, y) => x[1] - y[1])[0] ?? ['none measured', NaN];
    const of = measured.length < TFJS.length ? `, ${measured.length} of ${TFJS.length} backends measured` : '';
    return { value: `${f(ratio, 3)}× (${name}${of})`, met: measured.length === TFJS.length && ratio > 1 };
  });
  // The goal rows take the fast engine on one thread (the copy and NumPy run on one too).
  const fast = (r) => engine(r.dicelab, 'cpu-fast') ?? {};
  const lossRatio = loss?.rounds ? median(loss.rounds.map((r) => fast(r).ratio_to_copy)) : NaN;
  const vsNumpy = loss?.rounds ? median(loss.rounds.map((r) => r.numpy_s / fast(r).loss_s)) : NaN;
  const g = (name, value, target, met) => ({ name, value, target, met });
  // Issue 19: the CPU path against the fastest tfjs engine (any backend, its fastest construction).
  const vsFastest = [0, 1].map((i) => {
    const measured = browserDice.rows.filter((r) => r.engine.startsWith('tfjs-') && r.cells[i]);
    const best = measured.sort((x, y) => y.cells[i].stepsPerS - x.cells[i].stepsPerS)[0];
    return best ? { ratio: best.cells[i].ratio, name: `${best.engine}, ${best.cells[i].construction}` } : { ratio: NaN, name: 'none measured' };
  });
  // The plain SIMD128 build (browsers without relaxed SIMD) against the same fastest tfjs engine.
  const plain = [0, 1].map((i) => {
    const [p, t] = [cell('dicelab-simd128', i), cell(vsFastest[i].name.split(',')[0], i)];
    return p && t ? p.stepsPerS / t.stepsPerS : NaN;
  });
  const build = (i) => ours[i]?.construction ?? '?';
  const sizes = SIZES.map(([b, s]) => `${b}×${s}`);
  return [
    ...sizes.map((s, i) => g(`CPU fallback vs tfjs-wasm-SIMD, ${s}`, `${f(vsSimd[i], 2)}×`, '≥ 3×', vsSimd[i] >= 3)),
    ...sizes.map((s, i) =>
      g(`CPU path (${build(i)} build, as Chromium loads it) vs the fastest tfjs (issue 19), ${s}`, `${f(vsFastest[i].ratio, 2)}× (${vsFastest[i].name})`, '≥ 2×', vsFastest[i].ratio >= 2),
    ),
    ...sizes.map((s, i) =>
      g(`CPU path, SIMD128 build (browsers without relaxed SIMD) vs the same tfjs, ${s}`, `${f(plain[i], 2)}×`, '≥ 2×', plain[i] >= 2),
    ),
    ...sizes.map((s, i) =>
      g(`CPU path GFLOP/s vs the same-run wasm SIMD peak (${build(i)}), ${s}`, `${f(ours[i]?.pctOfPeak, 1)} %`, '≥ 50 %', ours[i]?.pctOfPeak >= 50),
    ),
    ...sizes.map((s, i) => g(`WebGPU path (dicelab-gpu) vs tfjs-webgpu, ${s}`, `${f(gpuVsWebgpu[i], 3)}×`, '≥ 20×', gpuVsWebgpu[i] >= 20)),
    ...sizes.map((s, i) =>
      g(`WebGPU path vs the fastest tfjs backend, ${s}`, vsAll[i].value, '> 1× (faster than every tfjs backend)', vsAll[i].met),
    ),
    ...sizes.map((s, i) => g(`load → first step (dicelab, ${s})`, `${f(ours[i]?.loadMs, 0)} ms`, '< 300 ms', ours[i]?.loadMs < 300)),
    ...sizes.map((s, i) => g(`load → first step (dicelab-gpu, ${s})`, `${f(gpu[i]?.loadMs, 0)} ms`, '< 300 ms', gpu[i]?.loadMs < 300)),
    g('native loss+grad (fast, 1 thread) vs copy bandwidth', `${f(100 * lossRatio, 1)} %`, '≥ 50 %', lossRatio >= 0.5),
    g('native loss+grad (fast, 1 thread) vs NumPy', `${f(vsNumpy, 1)}×`, '≥ 5×', vsNumpy >= 5),
    ...[b.gpu, b.cpu].flatMap((x) => [
      g(`playground bundle ${x.label} (wasm + JS + CSS, gzip -9), issue 6`, kb(x.gz), '< 150 KB', x.gz < 150 * 1000),
      g(`playground bundle ${x.label} (wasm + JS + CSS, gzip -9), issue 7`, kb(x.gz), '≤ 100 KB', x.gz <= 100 * 1000),
    ]),
  ];
}

function main() {
  const browser = read('browser.json');
  const dice = read('train-dice.json');
  const ce = read('train-ce.json');
  const loss = read('loss.json');
  const b = bundles();
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).devDependencies;
  const machine = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    os: sh('uname', ['-sr']),
    rustc: sh('rustc', ['--version']),
    node: process.version,
    chromium: browser?.chromium ?? 'unknown',
    tfjs: pkg['@tensorflow/tfjs'],
    numpy: loss?.numpy ?? 'not run',
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
  };
  const bd = browser ? browserTables(browser, 'dice') : { rows: [], errors: ['no browser results'], skipped: [] };
  const bc = browser ? browserTables(browser, 'ce') : { rows: [], errors: [], skipped: [] };
  const gs = goals(bd, loss, b);
  const md = `# Benchmarks

Produced by \`cargo xtask bench\` on ${machine.date.slice(0, 10)} (commit ${machine.commit}); every figure is from that one
run. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; ${machine.rustc}; node ${machine.node};
Chromium ${machine.chromium} headless (no GPU: WebGL and WebGPU run on SwiftShader); TensorFlow.js ${machine.tfjs};
NumPy ${machine.numpy}. This machine's speed drifts by up to 2×: compare ratios from one run, not figures across runs.

## In the browser: TinySegNet training, dicelab vs TensorFlow.js

The protocol of \`shared/guides/bench-protocol.md\`: the identical network, data (mulberry32 seed 42), Glorot
weights (seed 1234) and Adam (lr 1e-2, β 0.9/0.999, ε 1e-7) on both sides; a fresh page per engine × size × loss;
5 warm-up steps, 3 repetitions of 30 steps, each step awaited to completion, the median repetition.
The fast engines run in two interleaved rounds (medians shown); the slow ones (tfjs cpu, webgl, webgpu, and
dicelab-gpu) once, with each repetition capped at 4 s (steps per repetition shown). "dicelab CPU / it" divides
the steps/s of dicelab's CPU engine (wasm) by the engine's, each against dicelab's run in the same browser and
round; "dicelab-gpu / it" divides the steps/s of dicelab's WebGPU engine (the same protocol run on the GPU
backend, each step awaited until its loss has been read back) by the engine's. tfjs-webgpu and dicelab-gpu run in
Chromium with \`--enable-unsafe-webgpu\`, the others without (where dicelab-gpu must skip, saying why); dicelab's
CPU engine runs in both. **This machine has no GPU: WebGPU is SwiftShader, a software rasteriser on the CPU**, so
the WebGPU figures (dicelab-gpu and tfjs-webgpu alike) say nothing about a real GPU. **The GPU path has not run on
a hardware GPU yet**: \`tools/gpu-bench.sh\` is the prepared run for a Linux machine with an NVIDIA GPU. Load → first step:
navigation start to the end of the first step. Gz transferred: the engine's files (not the harness), gzipped.
tfjs loads its union bundle (tfjs-core alone registers no gradients) plus the backend's bundle and .wasm.
TinySegNet in tfjs (\`www/bench/tfjs_net.js\`) is built as fast as tfjs allows, in one of three constructions,
named in each row: \`custom-fwd\`, every 3×3 layer a custom gradient around the FusedConv2D kernel (conv +
bias + ReLU in one kernel, native dilation) whose backward uses forward conv2d kernels only (the only way on
tfjs-wasm, which registers no Conv2DBackpropFilter); \`custom-bp\`, the same forward with the backend's
backprop kernels for the dilation-1 layers; \`autodiff\`, tfjs's own gradients (tf.fused.conv2d does not fuse
while a gradient tape records, and the dilated layer runs as pad → spaceToBatchND → conv → batchToSpaceND).
The 1×1 layer is a fused matMul in all three; \`tests/js/tfjs_grad.test.mjs\` checks each against tfjs autodiff.
dicelab's CPU engine runs in the build the playground loads in this browser (\`dicelab\`: the relaxed-SIMD twin,
its convolutions' multiply-adds fused, where the browser validates relaxed SIMD, as this Chromium does) and in
the plain SIMD128 build (\`dicelab-simd128\`), which browsers without relaxed SIMD load; each row names its build.

${browser ? probesMd(browser) : ''}

### Soft Dice (corrected, global, mean)

${browserMd(bd, 'dice')}

### Cross-entropy (mean)

${browserMd(bc, 'ce')}

### Where dicelab's CPU step goes (wasm, one thread)

bench.html's step profile (\`src/bench/profile.rs\`: the training step's own functions in its order, a clock read
between the pieces, bit-identical losses), 30 steps after 3 warm-up steps, Dice, in a cross-origin-isolated page
(5 µs clock). The clock reads cost a little: compare the profiled step with the timed one.

${browser ? profileMd(browser) : 'No browser results.'}

## Native: \`dicelab bench train\` (CPU, one thread; \`--backend gpu\` adds the GPU rows, on a software adapter here)

${trainMd(dice, ce)}

## Native: \`dicelab bench loss\` beside NumPy

${lossMd(loss)}

## Playground bundles (what a visitor's browser fetches; gzip -9)

The page loads one of two wasm builds (www/engine.js): the WebGPU build where WebGPU offers an
adapter (in \`auto\`, a hardware one: headless Chromium's SwiftShader gets the CPU-only build), else
the CPU-only build. Both load the same JS and CSS. Where the browser runs relaxed SIMD the CPU-only
build comes from its twin cpu-fma/ instead (${b.cpuFmaDelta >= 0 ? '+' : ''}${b.cpuFmaDelta} bytes gzipped against cpu/); the table counts cpu/.

| file | bytes | gzipped |
|---|---|---|
${[...b.gpu.own, ...b.cpu.own, ...b.www].map((x) => `| ${x.name} | ${x.raw} | ${x.gz} |`).join('\n')}
| **${b.gpu.label}** | ${b.gpu.raw} | **${b.gpu.gz} (${kb(b.gpu.gz)})** |
| **${b.cpu.label}** | ${b.cpu.raw} | **${b.cpu.gz} (${kb(b.cpu.gz)})** |

## Goals

| goal | measured | target | met |
|---|---|---|---|
${gs.map((g) => `| ${g.name} | ${g.value} | ${g.target} | ${g.met ? 'yes' : 'no'} |`).join('\n')}

The WebGPU goals compare dicelab-gpu with tfjs in the same headless Chromium; on this machine (no GPU) both run on
SwiftShader, so they rank two WebGPU programs on a software rasteriser, not on a GPU.
`;
  // The hand-kept "Design measurements" section survives a new report.
  const previous = existsSync(resolve(ROOT, 'BENCHMARKS.md')) ? readFileSync(resolve(ROOT, 'BENCHMARKS.md'), 'utf8') : '';
  const kept = previous.indexOf('\n## Design measurements');
  writeFileSync(resolve(ROOT, 'BENCHMARKS.md'), kept >= 0 ? `${md.trimEnd()}\n${previous.slice(kept)}` : md);
  const all = { machine, goals: gs, bundle: b, browser, train: { dice, ce }, loss };
  writeFileSync(resolve(DIR, 'bench.json'), JSON.stringify(all, null, 2));
  console.log(md);
}

main();
