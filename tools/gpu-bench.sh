#!/usr/bin/env bash
# dicelab's GPU benchmarks on a Linux machine with an NVIDIA GPU and this repository, in one go
# (issue 19, item 5), printing one table (tools/gpu_bench_table.py) in under 8 minutes:
#   1. native: `dicelab bench train --backend gpu` (Dice and CE; the CPU rows come along) and
#      `dicelab bench loss --backend gpu`, through wgpu on Vulkan;
#   2. browser: bench.html in headless Chromium with WebGPU on the hardware adapter (dicelab's CPU
#      engine as the reference, dicelab-gpu, tfjs-webgpu and tfjs-webgl in their fastest
#      constructions), where Chromium, node and the npm packages are there or can be installed.
# Every part that cannot run says why and is skipped; the rest still runs. Without a GPU (or without
# its Vulkan driver) wgpu and Chromium fall back to software (lavapipe, SwiftShader): the table marks
# those rows SOFTWARE.
#
# Usage: tools/gpu-bench.sh [--no-browser]
# Environment: DICELAB_BIN (a built dicelab to use instead of building one), DICELAB_CHROMIUM (a
# Chromium binary), DICELAB_CHROMIUM_ARGS (its GPU flags; default: Vulkan through ANGLE),
# GPU_BENCH_OUT (output folder, default target/gpu-bench), GPU_BENCH_BUDGET (seconds, default 450).
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${GPU_BENCH_OUT:-$ROOT/target/gpu-bench}
BUDGET=${GPU_BENCH_BUDGET:-450}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BROWSER=1
[ "${1:-}" = "--no-browser" ] && BROWSER=0
rm -rf "$OUT" && mkdir -p "$OUT"
: >"$OUT/skipped.txt"
log() { echo "gpu-bench [${SECONDS} s]: $*" >&2; }
skip() {
  log "skipped: $*"
  echo "$*" >>"$OUT/skipped.txt"
}
# Seconds left of the budget, at least 1 (timeout 0 would mean no limit).
left() {
  local l=$((BUDGET - SECONDS))
  echo $((l < 1 ? 1 : l))
}
# At most $1 seconds, and no more than the budget has left.
cap() {
  local l
  l=$(left)
  echo $((l < $1 ? l : $1))
}
# Why a command failed: a timeout, or the last line of its error output.
why() {
  if [ "$1" = 124 ]; then echo "timed out"; else echo "exit $1: $(tail -1 "$2" 2>/dev/null)"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }
# Installs are tried only where a package registry answers (a GPU machine may have no network).
online() { timeout 5 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo -n "$@"; else return 1; fi; }
apt_install() { have apt-get && online && as_root apt-get install -y -q "$@" >"$OUT/apt.log" 2>&1; }

# The machine, for the table's header.
{
  echo "Machine: $(uname -sr), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  if have nvidia-smi; then
    echo "GPU (nvidia-smi): $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)."
  else
    echo "GPU: nvidia-smi not found (no NVIDIA driver here)."
  fi
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# wgpu reaches the NVIDIA driver through the Vulkan loader and the driver's ICD file.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  log "no Vulkan loader (libvulkan.so.1); trying apt-get install libvulkan1"
  apt_install libvulkan1 || skip "Vulkan loader: libvulkan.so.1 missing and not installable here (wgpu will try GL or fail)"
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then
      # Only the NVIDIA driver: lavapipe must not win the adapter choice on a GPU machine.
      export VK_DRIVER_FILES=$icd
      log "Vulkan driver: $icd"
      break
    fi
  done
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR" 2>/dev/null

# 1. Native.
BIN=${DICELAB_BIN:-}
if [ -z "$BIN" ]; then
  if have cargo; then
    log "building the CLI (cargo build --release; ~3 min on a fresh machine with many cores)"
    if timeout "$(left)" cargo build --release --bin dicelab >"$OUT/build.log" 2>&1; then
      BIN=$TARGET/release/dicelab
    else
      skip "native: cargo build --release failed or ran out of time (see $OUT/build.log)"
    fi
  else
    skip "native: no cargo here and no DICELAB_BIN (carry a built target/release/dicelab)"
  fi
fi
SOFTWARE=0
if [ -n "$BIN" ]; then
  # The loss first: its JSON names the adapter wgpu chose, which sizes the training runs.
  log "dicelab bench loss --backend gpu"
  timeout "$(cap 150)" "$BIN" bench loss --backend gpu --json >"$OUT/loss.json" 2>"$OUT/loss.err" ||
    skip "native loss: $(why $? "$OUT/loss.err")"
  if ! grep -q '"adapter"' "$OUT/loss.json" 2>/dev/null || grep -qi '"adapter": ".*software' "$OUT/loss.json"; then
    # lavapipe takes seconds a step: one step a shape, Dice only, labelled SOFTWARE in the table.
    SOFTWARE=1
    log "no hardware adapter for wgpu: short training runs (1 step a shape), Dice only"
    skip "native train (cross-entropy): no hardware GPU adapter (only the Dice run, one step a shape)"
  fi
  for p in "corrected train-dice.json" "cross-entropy train-ce.json"; do
    set -- $p
    [ "$SOFTWARE" = 1 ] && [ "$1" = cross-entropy ] && continue
    short=()
    [ "$SOFTWARE" = 1 ] && short=(--warmup 1 --reps 1 --steps 1)
    log "dicelab bench train --backend gpu --preset $1 ${short[*]}"
    timeout "$(cap 240)" "$BIN" bench train --backend gpu --preset "$1" "${short[@]}" --json >"$OUT/$2" 2>"$OUT/$2.err" ||
      skip "native train ($1): $(why $? "$OUT/$2.err")"
  done
fi

# 2. The browser.
browser() {
  have node || { skip "browser: no node"; return; }
  if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@tensorflow/tfjs ]; then
    if have npm && online; then
      timeout "$(left)" npm ci --no-audit --no-fund >"$OUT/npm.log" 2>&1 || { skip "browser: npm ci failed (see $OUT/npm.log)"; return; }
    else
      skip "browser: node_modules missing and no registry to install them from"
      return
    fi
  fi
  local chrome=${DICELAB_CHROMIUM:-}
  for c in chromium chromium-browser google-chrome; do
    [ -z "$chrome" ] && have "$c" && chrome=$(command -v "$c")
  done
  if [ -z "$chrome" ]; then
    log "no Chromium; trying apt-get install chromium"
    apt_install chromium && chrome=$(command -v chromium)
  fi
  [ -n "$chrome" ] || { skip "browser: no Chromium and none installable here"; return; }
  # The bench page: Trunk's dist/ where it was built, else a bench-only copy (cargo + wasm-bindgen).
  local dist=$ROOT/dist
  if [ ! -f "$dist/bench/dicelab_bg.wasm" ]; then
    dist=$OUT/dist
    have wasm-bindgen || { skip "browser: no dist/ (trunk build) and no wasm-bindgen to build the bench page"; return; }
    [ "$(left)" -gt 120 ] || { skip "browser: too little of the time budget left to build the bench page"; return; }
    log "building the bench page's wasm (features extras)"
    if ! timeout "$(left)" cargo build --lib --target=wasm32-unknown-unknown --profile=wasm-release \
      --no-default-features --features=extras >"$OUT/wasm.log" 2>&1; then
      skip "browser: the bench wasm did not build (see $OUT/wasm.log)"
      return
    fi
    mkdir -p "$dist/www/bench" "$dist/bench"
    cp bench.html "$dist/" && cp www/favicon.svg "$dist/www/" && cp www/bench/*.js "$dist/www/bench/"
    wasm-bindgen --target=web --out-dir="$dist/bench" --out-name=dicelab --no-typescript \
      "$TARGET/wasm32-unknown-unknown/wasm-release/dicelab.wasm" >>"$OUT/wasm.log" 2>&1 ||
      { skip "browser: wasm-bindgen failed (its version must equal Cargo.lock's; see $OUT/wasm.log)"; return; }
  fi
  # Chromium's flags for WebGPU on a Linux GPU without a display: Vulkan, through ANGLE. Without a
  # hardware adapter for wgpu, Chromium has none either: its own SwiftShader, no flags (with them
  # its GPU process fails to start there), and short runs.
  export DICELAB_CHROMIUM=$chrome
  if [ "$SOFTWARE" = 1 ]; then
    export DICELAB_GPU_QUICK=1 DICELAB_CHROMIUM_ARGS=${DICELAB_CHROMIUM_ARGS:-}
  else
    export DICELAB_CHROMIUM_ARGS=${DICELAB_CHROMIUM_ARGS:---use-angle=vulkan --enable-features=Vulkan --disable-vulkan-surface --ignore-gpu-blocklist}
  fi
  export DICELAB_PAGE_TIMEOUT_MS=120000
  log "bench.html with WebGPU ($chrome ${DICELAB_CHROMIUM_ARGS:-(no extra flags)})"
  DICELAB_DIST=$dist timeout "$(left)" node bench/browser.mjs "$OUT/browser.json" --gpu >&2 ||
    skip "browser: bench/browser.mjs --gpu: $(why $? /dev/null)"
}
if [ "$BROWSER" = 1 ]; then
  if [ "$(left)" -gt 60 ]; then browser; else skip "browser: the time budget is spent"; fi
else
  skip "browser: --no-browser"
fi

# 3. The table.
if have python3; then
  python3 tools/gpu_bench_table.py "$OUT" | tee "$OUT/table.md"
else
  skip "table: no python3; the JSON is in $OUT"
  cat "$OUT"/*.json
fi
log "done in ${SECONDS} s; everything is in $OUT"
