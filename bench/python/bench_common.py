"""What the PyTorch sides of Lethe's step benchmarks share (lm_step.py, t2i_step.py, vlm_step.py): one intra-op
and one inter-op thread (set on import, before any torch work: PyTorch refuses to change the inter-op count
later), Lethe's safetensors weights read without pickle and copied into a model by name, the per-phase step
timer, the warm-up-then-measure loop of research/perf-baseline.md, and the closing JSON line.
"""

import argparse
import json
import os
import struct
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def read_safetensors(path):
    """name -> float32 tensor, from a safetensors file (header length, JSON header, raw data)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length].decode("utf-8"))
    base = 8 + length
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {meta['dtype']}, expected F32")
        start, end = meta["data_offsets"]
        values = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=torch.float32)
        out[name] = values.reshape(meta["shape"]).clone()
    return out


def copy_weights(names, weights):
    """Copies Lethe's weights (read_safetensors) into a model's parameters, given as Lethe's name -> parameter;
    every name must be in both, with the same shape."""
    missing = sorted(set(names) - set(weights))
    extra = sorted(set(weights) - set(names))
    if missing or extra:
        raise ValueError(f"parameter names differ: missing in the file {missing[:5]}, not in the model {extra[:5]}")
    with torch.no_grad():
        for name, param in names.items():
            if tuple(weights[name].shape) != tuple(param.shape):
                raise ValueError(f"{name}: shape {tuple(weights[name].shape)} vs {tuple(param.shape)}")
            param.copy_(weights[name])
    return names


class Timer:
    """Thread CPU and wall nanoseconds per phase within one step (the phases of Lethe's StepTimer but its loop)."""

    PHASES = ("data", "forward", "loss", "backward", "optimiser")

    def __init__(self):
        self.cpu = dict.fromkeys(self.PHASES, 0)
        self.wall = dict.fromkeys(self.PHASES, 0)
        self.phase = None
        self.c0 = self.w0 = 0

    def start(self, phase):
        c, w = time.thread_time_ns(), time.perf_counter_ns()
        if self.phase is not None:
            self.cpu[self.phase] += c - self.c0
            self.wall[self.phase] += w - self.w0
        self.phase, self.c0, self.w0 = phase, c, w

    def stop(self):
        self.start(None)


def train_step(timer, forward, loss_of, optimiser):
    """One training step in the phases Lethe's loop times: forward, loss (read every step, as Lethe's loop reads
    it), backward, optimiser (its step, then zero_grad)."""
    timer.start("forward")
    out = forward()
    timer.start("loss")
    loss = loss_of(out)
    loss.item()
    timer.start("backward")
    loss.backward()
    timer.start("optimiser")
    optimiser.step()
    optimiser.zero_grad()


def measure(step, warmup, measured, warmup_seconds):
    """Runs step(i, timer) until `measured` steps are counted after at least `warmup` steps and `warmup_seconds`
    (perf-baseline.md's warm-up); returns the counted steps' rows {"cpu": {phase: ns}, "wall": {...}}."""
    rows = []
    start = time.perf_counter()
    i = 0
    while len(rows) < measured:
        counted = i >= warmup and time.perf_counter() - start >= warmup_seconds
        timer = Timer()
        step(i, timer)
        timer.stop()
        if counted:
            rows.append({"cpu": timer.cpu, "wall": timer.wall})
        i += 1
    return rows


def workload_line(side, name, warmup, rows, **extra):
    """The JSON line of one workload's measured steps, with the engine and its threads."""
    return json.dumps({"side": side, "workload": name, "warmup": warmup, **extra, "steps": rows,
                       "torch": torch.__version__, "threads": torch.get_num_threads(),
                       "interopThreads": torch.get_num_interop_threads()})


def done_line(side, t0):
    """The closing JSON line: seconds since t0, process and thread CPU seconds, peak RSS."""
    with open("/proc/self/status", encoding="ascii") as f:
        hwm = next((line.split()[1] for line in f if line.startswith("VmHWM")), "0")
    return json.dumps({"side": side, "done": True, "seconds": time.perf_counter() - t0,
                       "processCpuSeconds": time.process_time(), "threadCpuSeconds": time.thread_time(),
                       "peakRssKiB": int(hwm)})


def arguments(description, first, first_help):
    """The command line both step scripts take: an input file, then the warm-up and measurement options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(first, help=first_help)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--only", default="")
    return parser
