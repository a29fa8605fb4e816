"""One table from what tools/gpu-bench.sh left in its output folder.

Reads train-dice.json and train-ce.json (`dicelab bench train --backend gpu --json`), loss.json
(`dicelab bench loss --backend gpu --json`), browser.json (`node bench/browser.mjs … --gpu`),
machine.txt and skipped.txt, any of which may be missing, and prints a Markdown table. Every GPU
row says whether its adapter is hardware or software (lavapipe, SwiftShader), because on a machine
without a GPU both wgpu and Chromium fall back to a CPU rasteriser and their figures then say
nothing about a GPU. Standard library only.

Usage: python3 tools/gpu_bench_table.py DIR
"""

import json
import os
import re
import sys

SOFTWARE = re.compile(r"software|\bcpu\b|llvmpipe|lavapipe|swiftshader", re.IGNORECASE)


def load(folder, name):
    path = os.path.join(folder, name)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def kind(adapter):
    if not adapter:
        return "–"
    return f"{adapter.strip()} **[{'SOFTWARE' if SOFTWARE.search(adapter) else 'hardware'}]**"


def ms(x):
    return f"{x:.2f} ms ({1000 / x:.1f}/s)" if x else "–"


def main(folder):
    rows = []
    software_seen = False
    for name, file, first, proto in (
        ("Dice", "train-dice.json", "first_dice", "protocol_dice"),
        ("CE", "train-ce.json", "first_ce", "protocol_ce"),
    ):
        runs = load(folder, file) or []
        for backend in ("cpu", "gpu"):
            cells = {}
            for r in runs:
                if r.get("backend") == backend:
                    cells[(r["batch"], r["size"])] = r
            if not cells:
                continue
            some = next(iter(cells.values()))
            adapter = some.get("adapter")
            software_seen |= bool(adapter and SOFTWARE.search(adapter))
            check = ", ".join(
                f"{r[first]:.6f} vs {r[proto]}" for r in cells.values()
            )
            rows.append(
                [
                    f"native train, {name}",
                    backend,
                    kind(adapter) if backend == "gpu" else "CPU, 1 thread",
                    ms(cells.get((4, 48), {}).get("ms_per_step")),
                    ms(cells.get((8, 64), {}).get("ms_per_step")),
                    f"first loss {check}",
                ]
            )
    loss = load(folder, "loss.json")
    for r in loss if isinstance(loss, list) else []:
        if r.get("backend") not in ("cpu-fast", "gpu"):
            continue
        adapter = r.get("adapter")
        software_seen |= bool(adapter and SOFTWARE.search(adapter))
        shape = "×".join(str(x) for x in r.get("shape", []))
        trip = r.get("roundtrip_s")
        rows.append(
            [
                f"native loss+grad {shape}",
                r["backend"],
                kind(adapter) if adapter else "CPU, 1 thread",
                f"{1e3 * r['loss_s']:.2f} ms, {r['loss_gb_s']:.1f} GB/s",
                f"{100 * r['ratio_to_copy']:.1f} % of copy ({r['copy_gb_s']:.1f} GB/s)",
                f"round trip {1e3 * trip:.2f} ms" if trip else "",
            ]
        )
    browser = load(folder, "browser.json")
    results = browser.get("results", []) if isinstance(browser, dict) else []
    timed = [r for r in results if not r.get("probe")]
    # tfjs-webgpu runs on the same browser's WebGPU adapter as dicelab-gpu.
    webgpu_adapter = next((r.get("adapter") for r in timed if r.get("adapter")), "")
    engines = []
    for r in timed:
        if r["engine"] not in engines:
            engines.append(r["engine"])
    for e in engines:
        cells = {(r["batch"], r["size"]): r for r in timed if r["engine"] == e}
        some = next(iter(cells.values()))
        adapter = some.get("adapter") or ""
        if e == "tfjs-webgpu":
            adapter = webgpu_adapter
        software_seen |= bool(adapter and SOFTWARE.search(adapter))

        def cell(r):
            if r is None:
                return "–"
            if r.get("error") or r.get("skipped"):
                return f"did not run: {(r.get('error') or r.get('skipped'))[:80]}"
            return f"{r['stepsPerS']:.2f} steps/s"

        construction = some.get("construction")
        diffs = [r.get("firstDiff") for r in cells.values() if r.get("firstDiff") is not None]
        rows.append(
            [
                "browser train, Dice",
                e + (f" ({construction})" if construction else ""),
                kind(adapter)
                if adapter
                else {"dicelab": "CPU (wasm)", "tfjs-webgl": "WebGL (the browser's GPU process)"}.get(e, "–"),
                cell(cells.get((4, 48))),
                cell(cells.get((8, 64))),
                f"max \\|first − check\\| {max(diffs):.1e}" if diffs else "",
            ]
        )
    print("## tools/gpu-bench.sh")
    print()
    machine = os.path.join(folder, "machine.txt")
    if os.path.exists(machine):
        with open(machine, encoding="utf-8") as f:
            print(f.read().strip())
        print()
    if software_seen:
        print(
            "**Some GPU rows ran on a SOFTWARE adapter (a CPU rasteriser): "
            "they say nothing about a GPU.**"
        )
        print()
    print("| part | engine | adapter | 4×48 (or figure) | 8×64 (or figure) | check |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if not rows:
        print("| (nothing ran) | | | | | |")
    skipped = os.path.join(folder, "skipped.txt")
    if os.path.exists(skipped):
        with open(skipped, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip()]
        if lines:
            print()
            print("Skipped:")
            for line in lines:
                print(f"- {line}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/gpu-bench")
