#!/usr/bin/python3
"""The PyTorch side of Lethe's text-to-image step benchmark (BENCHMARKS.md, "Text-to-image sampling step
against PyTorch (issue 8)").

Builds the same text encoder and U-Net as Lethe's ``text-to-image-unet`` (bundles/models,
org.lethe.models.diffusion.TextToImageBlock), module for module, named by the same diffusers paths:

- text encoder: token + position embedding, pre-LN layers (causal self-attention with q/k/v/out
  projections with bias and an additive -1e9 mask, exact-GELU MLP), final LayerNorm;
- U-Net: conv_in; down 0 (ResBlock, stride-2 conv), down 1 (ResBlock, transformer, stride-2 conv),
  down 2 (ResBlock, transformer); mid (ResBlock, transformer, ResBlock); up 0 and up 1 (concatenate the
  skip, ResBlock, transformer, nearest x2 up-sampling, conv); up 2 (concatenate, ResBlock); GroupNorm,
  SiLU, conv_out. ResBlock: GN-SiLU-conv3, + time_emb_proj(SiLU(temb)), GN-SiLU-conv3, + (1x1
  shortcut conv or x). Transformer: GN, proj_in, x + attn1(LN x), x + attn2(LN x, context),
  x + GEGLU FF(LN x), proj_out, + input. Attention: softmax(q k^T / sqrt(d_head)) v over heads, q/k/v
  without bias, to_out.0 with bias. Time embedding: [cos, sin](t * exp(-ln(10^4) j / half)), then
  linear_1, SiLU, linear_2. GroupNorm and LayerNorm eps 1e-5.

GroupNorm, SiLU and the up-sampling use PyTorch's own operators (F.group_norm, F.silu,
repeat_interleave) by default, as a PyTorch user would write them; ``--mirror`` composes them as Lethe
does (GroupNorm as a LayerNorm over (batch, groups, rest) with unit weights, then the per-channel affine;
SiLU as x * sigmoid(x); up-sampling as two repeats), which isolates the cost of those compositions.

It reads Lethe's weights from the safetensors file Lethe wrote (JSON header + raw little-endian float32,
no pickle) and the check file the Java harness (org.lethe.bench.DiffusionSteps) wrote: the prompt's and
the empty prompt's token ids, x_t, t, the DDIM schedule, the start noise, a target, and Lethe's outputs.
Before timing anything it compares its outputs with Lethe's on the same inputs: the condition (text
encoder), the predicted noise at batch 2 (the CFG batch), the one-step and the full DDIM sample. It
refuses to time (exit status 3) if the predicted noise differs by 1e-4 or more anywhere: the two sides
must do the same work.

Workloads (batch 1, CFG 4, 25 DDIM steps; the text encoder frozen in training):

- unet-b2:  the U-Net forward on the CFG batch of 2 (conditional + unconditional), no gradient
- ddim1:    DiffusionModel.sample's path for one DDIM step from the start noise: the empty prompt's
            encoding, the CFG batch, the U-Net on 2, guidance, the clipped DDIM update
- ddim25:   the same for a whole 25-step pass
- esd-x:    forward with gradient on x_t (attn2 trainable), MSE to the target, backward, Adam(1e-4)
- esd-u:    the same with the whole U-Net trainable

Each step or call is timed with the thread's CPU time (time.thread_time_ns) and wall time, per phase for
the training steps (forward, loss, backward, optimiser). One intra-op and one inter-op thread. Prints
one JSON line per workload on stdout.

Usage: /usr/bin/python3 bench/python/t2i_step.py CHECK.json [--warmup N] [--steps N] [--warmup-seconds S]
       [--only a,b] [--mirror] [--check-only] [--profile]
Run it with Debian's python3 (python3-torch, libopenblas0-pthread), not a pyenv interpreter.
"""

import json
import math
import sys
import time

# first: it sets the threads before torch does any work
from bench_common import arguments, copy_weights, done_line, measure, read_safetensors, train_step, workload_line

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

EPS = 1e-5
MASKED = -1e9
TOLERANCE = 1e-4
WORKLOADS = ("unet-b2", "ddim1", "ddim25", "esd-x", "esd-u")


class Ops:
    """The three operators Lethe composes itself; PyTorch's own, or Lethe's composition with --mirror."""

    def __init__(self, mirror, groups):
        self.mirror, self.groups = mirror, groups

    def silu(self, x):
        return x * torch.sigmoid(x) if self.mirror else F.silu(x)

    def group_norm(self, x, weight, bias):
        if not self.mirror:
            return F.group_norm(x, self.groups, weight, bias, EPS)
        b, c = x.shape[0], x.shape[1]
        per = x.numel() // b // self.groups
        normed = F.layer_norm(x.reshape(b, self.groups, per), (per,), torch.ones(per), torch.zeros(per), EPS)
        return normed.reshape(x.shape) * weight.reshape(1, c, 1, 1) + bias.reshape(1, c, 1, 1)

    def upsample(self, x):
        if self.mirror:
            return x.repeat_interleave(2, 2).repeat_interleave(2, 3)
        return F.interpolate(x, scale_factor=2.0, mode="nearest")


class GroupNorm(torch.nn.Module):
    def __init__(self, c, ops):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(c))
        self.bias = torch.nn.Parameter(torch.zeros(c))
        self.ops = ops

    def forward(self, x):
        return self.ops.group_norm(x, self.weight, self.bias)


class Attention(torch.nn.Module):
    """softmax(q k^T * d_head^-1/2 + mask) v per head, then the output projection (TextToImageBlock.attention)."""

    def __init__(self, c, context, heads, names, bias):
        super().__init__()
        self.heads = heads
        self.names = names
        for name, (i, o, b) in zip(names, ((c, c, bias), (context, c, bias), (context, c, bias), (c, c, True))):
            self.add_module(name, torch.nn.Linear(i, o, bias=b))

    def forward(self, x, context, mask=None):
        q_proj, k_proj, v_proj, out_proj = (getattr(self, n) for n in self.names)
        b, n, _ = x.shape
        m = context.shape[1]
        q, k, v = q_proj(x), k_proj(context), v_proj(context)
        c = q.shape[2]
        dh = c // self.heads
        q = q.reshape(b, n, self.heads, dh).transpose(1, 2)
        k = k.reshape(b, m, self.heads, dh).permute(0, 2, 3, 1)
        v = v.reshape(b, m, self.heads, dh).transpose(1, 2)
        scores = q.matmul(k) * (1.0 / math.sqrt(dh))
        if mask is not None:
            scores = scores + mask
        mixed = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(b, n, c)
        return out_proj(mixed)


class TextLayer(torch.nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.layer_norm1 = torch.nn.LayerNorm(d, eps=EPS)
        self.self_attn = Attention(d, d, heads, ("q_proj", "k_proj", "v_proj", "out_proj"), True)
        self.layer_norm2 = torch.nn.LayerNorm(d, eps=EPS)
        self.mlp = torch.nn.Module()
        self.mlp.fc1 = torch.nn.Linear(d, mlp)
        self.mlp.fc2 = torch.nn.Linear(mlp, d)

    def forward(self, x, mask):
        h = self.layer_norm1(x)
        x = x + self.self_attn(h, h, mask)
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.layer_norm2(x))))


class TextEncoder(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["textWidth"]
        self.text_model = torch.nn.Module()
        tm = self.text_model
        tm.embeddings = torch.nn.Module()
        tm.embeddings.token_embedding = torch.nn.Embedding(cfg["tokens"], d)
        tm.embeddings.position_embedding = torch.nn.Embedding(cfg["contextLength"], d)
        tm.encoder = torch.nn.Module()
        tm.encoder.layers = torch.nn.ModuleList(
            [TextLayer(d, cfg["textHeads"], cfg["textMlp"]) for _ in range(cfg["textLayers"])])
        tm.final_layer_norm = torch.nn.LayerNorm(d, eps=EPS)

    def forward(self, tokens):
        tm = self.text_model
        length = tokens.shape[1]
        x = tm.embeddings.token_embedding(tokens) + tm.embeddings.position_embedding(torch.arange(length))
        mask = torch.triu(torch.full((length, length), MASKED), diagonal=1).reshape(1, 1, length, length)
        for layer in tm.encoder.layers:
            x = layer(x, mask)
        return tm.final_layer_norm(x)


def conv(i, o, k):
    return torch.nn.Conv2d(i, o, k, padding=k // 2)


class ResBlock(torch.nn.Module):
    def __init__(self, i, o, temb, ops):
        super().__init__()
        self.ops = ops
        self.norm1 = GroupNorm(i, ops)
        self.conv1 = conv(i, o, 3)
        self.time_emb_proj = torch.nn.Linear(temb, o)
        self.norm2 = GroupNorm(o, ops)
        self.conv2 = conv(o, o, 3)
        self.conv_shortcut = conv(i, o, 1) if i != o else None

    def forward(self, x, temb):
        silu = self.ops.silu
        h = self.conv1(silu(self.norm1(x)))
        t = self.time_emb_proj(silu(temb))
        h = h + t.reshape(t.shape[0], t.shape[1], 1, 1)
        h = self.conv2(silu(self.norm2(h)))
        return h + (self.conv_shortcut(x) if self.conv_shortcut is not None else x)


class TransformerBlock(torch.nn.Module):
    def __init__(self, c, context, heads, ff_mult):
        super().__init__()
        names = ("to_q", "to_k", "to_v", "to_out_0")
        self.norm1 = torch.nn.LayerNorm(c, eps=EPS)
        self.attn1 = Attention(c, c, heads, names, False)
        self.norm2 = torch.nn.LayerNorm(c, eps=EPS)
        self.attn2 = Attention(c, context, heads, names, False)
        self.norm3 = torch.nn.LayerNorm(c, eps=EPS)
        self.ff_proj = torch.nn.Linear(c, 2 * ff_mult * c)  # ff.net.0.proj
        self.ff_out = torch.nn.Linear(ff_mult * c, c)  # ff.net.2

    def forward(self, h, context):
        n1 = self.norm1(h)
        h = h + self.attn1(n1, n1)
        h = h + self.attn2(self.norm2(h), context)
        a, g = self.ff_proj(self.norm3(h)).chunk(2, dim=2)
        return h + self.ff_out(a * F.gelu(g))


class Transformer(torch.nn.Module):
    def __init__(self, c, context, heads, ff_mult, ops):
        super().__init__()
        self.norm = GroupNorm(c, ops)
        self.proj_in = torch.nn.Linear(c, c)
        self.block = TransformerBlock(c, context, heads, ff_mult)  # transformer_blocks.0
        self.proj_out = torch.nn.Linear(c, c)

    def forward(self, x, context):
        b, c, hh, ww = x.shape
        h = self.norm(x).reshape(b, c, hh * ww).transpose(1, 2)
        h = self.proj_out(self.block(self.proj_in(h), context))
        return h.transpose(1, 2).reshape(b, c, hh, ww) + x


class UNet(torch.nn.Module):
    def __init__(self, cfg, ops):
        super().__init__()
        c0, c1, d, heads, ff = cfg["baseChannels"], cfg["channels"], cfg["textWidth"], cfg["heads"], cfg["ffMult"]
        self.ops = ops
        self.c0 = c0
        self.conv_in = conv(3, c0, 3)
        self.time_1 = torch.nn.Linear(c0, c1)
        self.time_2 = torch.nn.Linear(c1, c1)
        self.down0 = ResBlock(c0, c0, c1, ops)
        self.down0_conv = torch.nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down1 = ResBlock(c0, c1, c1, ops)
        self.down1_attn = Transformer(c1, d, heads, ff, ops)
        self.down1_conv = torch.nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c1, c1, ops)
        self.down2_attn = Transformer(c1, d, heads, ff, ops)
        self.mid0 = ResBlock(c1, c1, c1, ops)
        self.mid_attn = Transformer(c1, d, heads, ff, ops)
        self.mid1 = ResBlock(c1, c1, c1, ops)
        self.up0 = ResBlock(2 * c1, c1, c1, ops)
        self.up0_attn = Transformer(c1, d, heads, ff, ops)
        self.up0_conv = conv(c1, c1, 3)
        self.up1 = ResBlock(2 * c1, c1, c1, ops)
        self.up1_attn = Transformer(c1, d, heads, ff, ops)
        self.up1_conv = conv(c1, c1, 3)
        self.up2 = ResBlock(c1 + c0, c0, c1, ops)
        self.conv_norm_out = GroupNorm(c0, ops)
        self.conv_out = conv(c0, 3, 3)

    # module -> the diffusers path Lethe names it by
    PATHS = {"time_1": "time_embedding.linear_1", "time_2": "time_embedding.linear_2",
             "down0": "down_blocks.0.resnets.0", "down0_conv": "down_blocks.0.downsamplers.0.conv",
             "down1": "down_blocks.1.resnets.0", "down1_attn": "down_blocks.1.attentions.0",
             "down1_conv": "down_blocks.1.downsamplers.0.conv", "down2": "down_blocks.2.resnets.0",
             "down2_attn": "down_blocks.2.attentions.0", "mid0": "mid_block.resnets.0",
             "mid_attn": "mid_block.attentions.0", "mid1": "mid_block.resnets.1", "up0": "up_blocks.0.resnets.0",
             "up0_attn": "up_blocks.0.attentions.0", "up0_conv": "up_blocks.0.upsamplers.0.conv",
             "up1": "up_blocks.1.resnets.0", "up1_attn": "up_blocks.1.attentions.0",
             "up1_conv": "up_blocks.1.upsamplers.0.conv", "up2": "up_blocks.2.resnets.0",
             "block": "transformer_blocks.0", "ff_proj": "ff.net.0.proj", "ff_out": "ff.net.2",
             "to_out_0": "to_out.0"}

    def time_embedding(self, timesteps):
        """Sinusoidal features, cos then sin, computed in double as Lethe computes them on the host."""
        half = self.c0 // 2
        frequency = torch.exp(-math.log(10_000) * torch.arange(half, dtype=torch.float64) / half)
        angle = timesteps.to(torch.float64).reshape(-1, 1) * frequency.reshape(1, -1)
        return torch.cat([angle.cos(), angle.sin()], 1).to(torch.float32)

    def forward(self, x, timesteps, context):
        silu = self.ops.silu
        temb = self.time_2(silu(self.time_1(self.time_embedding(timesteps))))
        h = self.down0(self.conv_in(x), temb)
        skip0 = h
        h = self.down1_attn(self.down1(self.down0_conv(h), temb), context)
        skip1 = h
        h = self.down2_attn(self.down2(self.down1_conv(h), temb), context)
        skip2 = h
        h = self.mid1(self.mid_attn(self.mid0(h, temb), context), temb)
        h = self.up0_attn(self.up0(torch.cat([h, skip2], 1), temb), context)
        h = self.up0_conv(self.ops.upsample(h))
        h = self.up1_attn(self.up1(torch.cat([h, skip1], 1), temb), context)
        h = self.up1_conv(self.ops.upsample(h))
        h = self.up2(torch.cat([h, skip0], 1), temb)
        return self.conv_out(silu(self.conv_norm_out(h)))


class TextToImage(torch.nn.Module):
    def __init__(self, cfg, ops):
        super().__init__()
        self.text_encoder = TextEncoder(cfg)
        self.unet = UNet(cfg, ops)

    def lethe_names(self):
        """Lethe's parameter name -> this model's parameter."""
        out = {}
        for name, param in self.named_parameters():
            parts = name.split(".")
            parts = [UNet.PATHS.get(p, p) for p in parts]
            out[".".join(parts)] = param
        return out

    def load_lethe(self, weights):
        return copy_weights(self.lethe_names(), weights)


def sample(model, condition, null_tokens, start, schedule, guidance, stop_after):
    """DiffusionModel.sample with CFG: DDIM (eta 0), x0 clipped to [-1, 1], epsilon re-derived (TextToImageModel)."""
    timesteps, alpha_bars = schedule["timesteps"], schedule["alphaBar"]
    batch = condition.shape[0]
    x = start
    both = torch.cat([model.text_encoder(null_tokens.expand(batch, -1)), condition], 0)
    for k in range(stop_after):
        a = alpha_bars[k]
        previous = alpha_bars[k + 1] if k + 1 < len(timesteps) else 1.0
        out = model.unet(torch.cat([x, x], 0), torch.full((2 * batch,), timesteps[k], dtype=torch.int64), both)
        eu, ec = out[:batch], out[batch:]
        eps = eu + (ec - eu) * guidance
        x0 = ((x - eps * math.sqrt(1 - a)) / math.sqrt(a)).clamp(-1, 1)
        if previous >= 1.0:
            x = x0
        else:
            e = (x - x0 * math.sqrt(a)) / math.sqrt(1 - a)
            x = x0 * math.sqrt(previous) + e * math.sqrt(1 - previous)
    return x


def tensor(spec):
    return torch.tensor(spec["values"], dtype=torch.float32).reshape(spec["shape"])


def check(model, data, mirror):
    """Max abs differences to Lethe's outputs; raises SystemExit(3) when the predicted noise is off."""
    with torch.no_grad():
        tokens = torch.tensor(data["tokens"], dtype=torch.int64)
        null_tokens = torch.tensor(data["nullTokens"], dtype=torch.int64)
        condition = model.text_encoder(tokens)
        null = model.text_encoder(null_tokens)
        x = tensor(data["noisy"])
        t = torch.tensor(data["timestep"], dtype=torch.int64)
        both = torch.cat([null, condition], 0)
        noise = model.unet(torch.cat([x, x], 0), torch.cat([t, t], 0), both)
        one = sample(model, condition, null_tokens, tensor(data["start"]), data["schedule"], data["guidance"], 1)
        full = sample(model, condition, null_tokens, tensor(data["start"]), data["schedule"], data["guidance"],
                      len(data["schedule"]["timesteps"]))
    diffs = {"condition": (condition - tensor(data["condition"])).abs().max().item(),
             "noise": (noise - tensor(data["noise"])).abs().max().item(),
             "ddim1": (one - tensor(data["ddim1"])).abs().max().item(),
             "ddim25": (full - tensor(data["ddim25"])).abs().max().item()}
    result = {"side": "pytorch", "check": diffs, "tolerance": TOLERANCE, "mirror": mirror,
              "noiseMaxAbs": tensor(data["noise"]).abs().max().item(), "passed": diffs["noise"] < TOLERANCE}
    print(json.dumps(result), flush=True)
    if not result["passed"]:
        print(f"t2i_step.py: the predicted noise differs from Lethe's by {diffs['noise']:.3g} >= {TOLERANCE}: "
              "not the same model, no timings", file=sys.stderr)
        raise SystemExit(3)
    return condition


def run_workload(name, model, names, data, condition, warmup, measured, warmup_seconds):
    null_tokens = torch.tensor(data["nullTokens"], dtype=torch.int64)
    start = tensor(data["start"])
    schedule, guidance = data["schedule"], data["guidance"]
    if name in ("unet-b2", "ddim1", "ddim25"):
        both = torch.cat([model.text_encoder(null_tokens), condition], 0).detach()
        x = tensor(data["noisy"])
        xx = torch.cat([x, x], 0)
        tt = torch.tensor(data["timestep"] * 2, dtype=torch.int64)
        stop = 1 if name == "ddim1" else len(schedule["timesteps"])

        def step(i, timer):
            timer.start("forward")  # a sampling call is one phase, as on Lethe's side
            with torch.no_grad():
                if name == "unet-b2":
                    model.unet(xx, tt, both)
                else:
                    sample(model, condition, null_tokens, start, schedule, guidance, stop)
        return measure(step, warmup, measured, warmup_seconds)
    # ESD-style training step: x_t, t, condition and target fixed; text encoder frozen
    trained = [p for n, p in names.items()
               if n.startswith("unet.") and (name == "esd-u" or ".attn2." in n)]
    for param in model.parameters():
        param.requires_grad_(False)
    for param in trained:
        param.requires_grad_(True)
    optimiser = torch.optim.Adam(trained, lr=data["learningRate"])
    x = tensor(data["noisy"])
    t = torch.tensor(data["timestep"], dtype=torch.int64)
    target = tensor(data["target"])
    cond = condition.detach()

    def train(i, timer):
        train_step(timer, lambda: model.unet(x, t, cond), lambda predicted: (predicted - target).square().mean(),
                   optimiser)
    return measure(train, warmup, measured, warmup_seconds)


def profile(model, data, condition):
    """Prints how many torch calls one no-gradient U-Net forward on the CFG batch makes, by name."""
    null = model.text_encoder(torch.tensor(data["nullTokens"], dtype=torch.int64))
    both = torch.cat([null, condition], 0).detach()
    x = tensor(data["noisy"])
    xx, tt = torch.cat([x, x], 0), torch.tensor(data["timestep"] * 2, dtype=torch.int64)
    counts = {}

    class Count(torch.overrides.TorchFunctionMode):
        """Counts the torch calls the model makes (each would be one operator call in Lethe's DJL code)."""

        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = getattr(func, "__name__", str(func))
            if name not in ("__get__", "numel"):  # reading a shape or a size runs no operator
                counts[name] = counts.get(name, 0) + 1
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), Count():
        model.unet(xx, tt, both)
    # only the calls a user's code makes, not what runs under them; no times (the counting costs time)
    print(json.dumps({"side": "pytorch", "profile": {"calls": sum(counts.values()), "byName": dict(
        sorted(counts.items(), key=lambda kv: -kv[1]))}}), flush=True)
    return 0


def main():
    parser = arguments(__doc__.split("\n")[0], "check", "the check file DiffusionSteps wrote")
    parser.add_argument("--mirror", action="store_true")
    parser.add_argument("--check-only", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="after the check, count the operators of one U-Net forward on the CFG batch and exit")
    args = parser.parse_args()
    t0 = time.perf_counter()
    with open(args.check, encoding="utf-8") as f:
        data = json.load(f)
    cfg = data["model"]
    weights = read_safetensors(data["weights"])
    model = TextToImage(cfg, Ops(args.mirror, cfg["groups"]))
    names = model.load_lethe(weights)
    model.train()  # no dropout or batch statistics anywhere: train and eval are the same function
    condition = check(model, data, args.mirror)
    if args.check_only:
        return 0
    if args.profile:
        return profile(model, data, condition)
    only = set(filter(None, args.only.split(",")))
    side = "pytorch-mirror" if args.mirror else "pytorch"
    for name in WORKLOADS:
        if only and name not in only:
            continue
        full = name == "ddim25"
        warmup = max(3, args.warmup // 3) if full else args.warmup
        measured = max(5, args.steps // 3) if full else args.steps
        rows = run_workload(name, model, names, data, condition, warmup, measured, args.warmup_seconds)
        print(workload_line(side, name, warmup, rows), flush=True)
    print(done_line(side, t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
