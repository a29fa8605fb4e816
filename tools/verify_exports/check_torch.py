"""The PyTorch form against `dicelab loss`: loss and autograd gradient in float32 and float64 on
(N, C, H, W) logits, with channels_last=True on (N, H, W, C), with (N, 1, H, W) targets, in
bfloat16 (sums in float32), under CPU autocast, on CUDA where there is one, and two training
steps with backward() per configuration.

Usage: python check_torch.py WORK_DIR OUT.json
"""
import sys

import numpy as np
import torch

from common import Results, Work, case_name

BF16_TOL = 3e-2  # bfloat16 keeps ~3 significant digits in the element-wise work


def loss_and_grad(module, logits, target, channels_last=False):
    """Loss and ∂loss/∂logits, the gradient returned channels last as the reference is."""
    x = logits.detach().clone().requires_grad_(True)
    v = module(x, target)
    v.backward()
    g = x.grad if channels_last else x.grad.permute(0, 2, 3, 1)
    return v, g.detach().cpu().double().numpy()


def check_case(res, work, c, d):
    case = case_name(work, c, d)
    _, Loss = work.form("pytorch", c)
    logits, labels = work.data(d)
    want, grad = work.ref(c, d)
    first = torch.from_numpy(logits).permute(0, 3, 1, 2).contiguous()  # (N, C, H, W)
    target = torch.from_numpy(labels.astype(np.int64))
    for name, dt in (("f32", torch.float32), ("f64", torch.float64)):
        def run(name=name, dt=dt):
            v, g = loss_and_grad(Loss(), first.to(dt), target)
            res.add(f"dtype {name}", case, v.dtype == dt, note=f"loss dtype {v.dtype}")
            res.loss(f"loss {name}", case, v.item(), want)
            res.grad(f"grad {name}", case, g, grad, labels)
        res.guard(f"loss {name}", case, run)

    def last():  # channels_last=True takes the reference's layout as is, and uint8 labels
        m = Loss(channels_last=True)
        v, g = loss_and_grad(m, torch.from_numpy(logits), torch.from_numpy(labels), channels_last=True)
        res.loss("loss channels_last", case, v.item(), want)
        res.grad("grad channels_last", case, g, grad, labels)
    res.guard("loss channels_last", case, last)

    def one_channel():
        m = Loss()
        same = m(first, target.unsqueeze(1)).item() == m(first, target).item()
        res.add("target (N, 1, H, W)", case, same)
    res.guard("target (N, 1, H, W)", case, one_channel)

    def bf16():
        x = first.bfloat16().requires_grad_(True)
        v = Loss()(x, target)
        v.backward()
        ok = v.dtype == torch.float32 and bool(torch.isfinite(x.grad.float()).all())
        err = abs(v.item() - want) / max(1.0, abs(want))
        res.add("bf16 (loose)", case, ok and err <= BF16_TOL, err, f"loss dtype {v.dtype}")
    res.guard("bf16 (loose)", case, bf16)

    if torch.cuda.is_available():
        def cuda():
            v, g = loss_and_grad(Loss(), first.cuda(), target.cuda())
            res.loss("loss f32 cuda", case, v.item(), want)
            res.grad("grad f32 cuda", case, g, grad, labels)
        res.guard("loss f32 cuda", case, cuda)


def train(work, c, device="cpu", autocast=None):
    """Two SGD steps of a one-layer net with backward(); the loss stays finite, the weights move."""
    _, Loss = work.form("pytorch", c)
    logits, labels = work.data(0)
    n, h, w, classes = logits.shape
    torch.manual_seed(c)
    net = torch.nn.Conv2d(3, classes, 3, padding=1).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    x = torch.randn(n, 3, h, w, device=device)
    y = torch.from_numpy(labels.astype(np.int64)).to(device)
    before = [p.detach().clone() for p in net.parameters()]
    loss_fn = Loss()
    losses = []
    for _ in range(2):
        opt.zero_grad()
        with torch.autocast(device, dtype=autocast, enabled=autocast is not None):
            v = loss_fn(net(x), y)
        v.backward()
        opt.step()
        losses.append(v.item())
    moved = any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))
    ok = all(np.isfinite(losses)) and moved and v.dtype == torch.float32
    return ok, f"losses {losses}, weights moved: {moved}, loss dtype {v.dtype}"


def main(work_dir, out):
    work = Work(work_dir)
    res = Results("pytorch")
    for c, d in work.cases():
        check_case(res, work, c, d)
    runs = [("train 2 steps", "cpu", None), ("train 2 steps, autocast bf16", "cpu", torch.bfloat16)]
    if torch.cuda.is_available():
        runs += [("train 2 steps cuda", "cuda", None), ("train 2 steps cuda, autocast fp16", "cuda", torch.float16)]
    for c in range(len(work.configs)):
        case = f"config {c} ({work.configs[c]['name']})"
        for check, device, dt in runs:
            def run(check=check, device=device, dt=dt):
                ok, note = train(work, c, device, dt)
                res.add(check, case, ok, note=note)
            res.guard(check, case, run)
    res.note(f"torch {torch.__version__}")
    if not torch.cuda.is_available():
        res.note("CUDA: not checked (no CUDA device on this machine)")
    res.write(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
