#!/usr/bin/python3
"""The PyTorch side of org.lethe.bench.OpMicro: the same single operations at the facts model's shapes
for a batch of 20, gradient recording off, one thread; 20 rounds (after 3 uncounted) of 500 calls;
prints the p50 and p95 over rounds of the thread-CPU microseconds per call.

With the argument t2i: the text-to-image U-Net's 3x3 convolutions at the CFG batch of 2 and an add at
its 8x8 level (OpMicro t2i).

Usage: /usr/bin/python3 bench/python/op_micro.py [t2i]   (Debian's python3 with python3-torch, libopenblas0-pthread)
"""

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.set_grad_enabled(False)


def percentile(values, q):
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def rounds(fn, calls=500):
    out = []
    for r in range(23):
        c0 = time.thread_time_ns()
        for _ in range(calls):
            fn()
        if r >= 3:
            out.append((time.thread_time_ns() - c0) / 1e3 / calls)
    return out


def report(name, values):
    print(f"pytorch | {name:<45} | n {len(values)} | p50 {percentile(values, 0.5):8.2f} us | "
          f"p95 {percentile(values, 0.95):8.2f} us", flush=True)


def unet():
    for ci, co, side in ((64, 64, 16), (32, 32, 16), (64, 64, 8), (64, 64, 4)):
        x, w, b = torch.randn(2, ci, side, side), torch.randn(co, ci, 3, 3), torch.zeros(co)
        report(f"conv3x3 {ci}->{co} (2,{ci},{side},{side})", rounds(lambda: F.conv2d(x, w, b, 1, 1)))
    x = torch.randn(2, 64, 8, 8)
    report("add (2,64,8,8)", rounds(lambda: x + x))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "t2i":
        unet()
        return
    scores = torch.randn(20, 4, 13, 13)
    x = torch.randn(20, 13, 64)
    w = torch.randn(64, 64)
    b = torch.randn(64)
    q = torch.randn(20, 4, 13, 16)
    k = torch.randn(20, 4, 16, 13)
    h = torch.randn(20, 13, 256)
    logits = torch.randn(20, 13, 353)
    gamma, beta = torch.ones(64), torch.zeros(64)
    embedding = torch.randn(353, 64)
    small = torch.ones(8, 8)

    def manual():
        e = (scores - scores.amax(-1, keepdim=True)).exp()
        return e / e.sum(-1, keepdim=True)

    ops = [
        ("add 8x8 (per-op overhead)", lambda: small + small),
        ("softmax(-1) (20,4,13,13): attention", lambda: scores.softmax(-1)),
        ("exp(x-max)/sum (20,4,13,13)", manual),
        ("softmax(2) (20,4,13,13): not the last axis", lambda: scores.softmax(2)),
        ("logSoftmax(-1) (20,13,353): the loss", lambda: logits.log_softmax(-1)),
        ("linear (20,13,64)x(64,64)+b", lambda: F.linear(x, w, b)),
        ("linear (20,13,64)x(353,64): tied head", lambda: F.linear(x, embedding)),
        ("matmul (20,4,13,16)x(20,4,16,13)", lambda: q.matmul(k)),
        ("layerNorm (20,13,64)", lambda: F.layer_norm(x, (64,), gamma, beta, 1e-5)),
        ("gelu (20,13,256)", lambda: F.gelu(h)),
        ("transpose+reshape (20,4,13,16)", lambda: q.transpose(1, 2).reshape(20, 13, 64)),
    ]
    for name, fn in ops:
        report(name, rounds(fn))
    # (no per-parameter optimiser row: torch.optim's step carries a per-call overhead that a real
    # step spreads over all parameters; the step benchmark's optimiser phase compares the real thing)


if __name__ == "__main__":
    main()
