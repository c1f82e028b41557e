#!/usr/bin/python3
"""The PyTorch side of Lethe's method-step benchmark (BENCHMARKS.md, "Methods (issue 5)").

Builds the same model as Lethe's ``word-transformer`` (bundles/models, org.lethe.models.transformer):
pre-LayerNorm decoder blocks, causal self-attention with separate q/k/v/o linear layers and an
additive -1e9 mask, learned positions, exact-GELU feed-forward, a final LayerNorm and the output
layer tied to the token embedding; the input is shifted right by one with <pad> (id 0) as the
start token. It reads the initial weights from the safetensors file Lethe wrote (parsed here:
JSON header + raw little-endian float32, no pickle), and the batches of each method's steps from
the workload file (JSON) the Java harness wrote, so both sides run the same model on the same
token batches with the same answer-only losses and optimisers:

- train:     AdamW(3e-3, wd 0), loss = NLL(b)                         (FactsTraining)
- ga:        AdamW(1e-4, wd 0.01), loss = -NLL(b_f)                   (GradientAscent)
- graddiff:  AdamW(1e-4, wd 0.01), loss = -NLL(b_f)*g + NLL(b_r)*a    (GradDiff, NLL retain term)
- flat:      AdamW(1e-4, wd 0.01), loss = -g(x_e) + f*(g(x_f)), TV    (Flat, normalized averaging)
- iau:       fresh Adam(3e-3, eps 1e-8) every step,
             loss = sum_mb NLL(mb)*|mb|/|D_r| - sum_mb NLL(mb)*|mb|/|D_f| (Iau)

Each step is timed per phase with the thread's CPU time (time.thread_time_ns) and wall time
(time.perf_counter_ns): data (tensors from the host lists), forward (the model up to the logits),
loss (log-softmax, gather, mask and the method's expression), backward, optimiser (step and
zero_grad). One intra-op and one inter-op thread. Prints one JSON line per workload on stdout.

Usage: /usr/bin/python3 bench/python/lm_step.py WORKLOAD.json [--warmup N] [--steps N] [--warmup-seconds S]
       [--only a,b]
The workload file's own warmup/measured counts, where given, take precedence over --warmup/--steps.
Warm-up is at least that many steps and at least --warmup-seconds (default 2 s).
Run it with Debian's python3 (python3-torch, libopenblas0-pthread), not a pyenv interpreter.
"""

import json
import math
import sys
import time

# first: it sets the threads before torch does any work
from bench_common import arguments, done_line, measure, read_safetensors, workload_line

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MASKED = -1e9


class Attention(torch.nn.Module):
    """softmax(Q K^T / sqrt(d_head) + M) V per head, then the output projection (CausalSelfAttention)."""

    def __init__(self, d, heads):
        super().__init__()
        self.d, self.heads = d, heads
        self.query = torch.nn.Linear(d, d)
        self.key = torch.nn.Linear(d, d)
        self.value = torch.nn.Linear(d, d)
        self.output = torch.nn.Linear(d, d)

    def split(self, x, b, t):
        return x.reshape(b, t, self.heads, self.d // self.heads).transpose(1, 2)

    def forward(self, x, mask):
        b, t, _ = x.shape
        scale = torch.tensor(1.0 / math.sqrt(self.d // self.heads))
        q = self.split(self.query(x), b, t) * scale
        k = self.split(self.key(x), b, t)
        v = self.split(self.value(x), b, t)
        scores = q.matmul(k.transpose(2, 3)) + mask
        mixed = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(b, t, self.d)
        return self.output(mixed)


class Decoder(torch.nn.Module):
    """Pre-LN block: h = x + attn(LN(x)); h + ffnOut(gelu(ffnIn(LN(h)))) (DecoderBlock)."""

    def __init__(self, d, heads, ffn):
        super().__init__()
        self.attentionNorm = torch.nn.LayerNorm(d)
        self.attention = Attention(d, heads)
        self.ffnNorm = torch.nn.LayerNorm(d)
        self.ffnIn = torch.nn.Linear(d, ffn)
        self.ffnOut = torch.nn.Linear(ffn, d)

    def forward(self, x, mask):
        h = x + self.attention(self.attentionNorm(x), mask)
        return h + self.ffnOut(F.gelu(self.ffnIn(self.ffnNorm(h))))


class WordTransformer(torch.nn.Module):
    """Token + learned position embedding, decoder blocks, final LN, logits = h E^T (WordTransformerBlock)."""

    def __init__(self, vocab, max_length, layers, d, heads, ffn):
        super().__init__()
        self.tokenEmbedding = torch.nn.Parameter(torch.empty(vocab, d))
        self.positionEmbedding = torch.nn.Parameter(torch.empty(max_length, d))
        self.layers = torch.nn.ModuleList([Decoder(d, heads, ffn) for _ in range(layers)])
        self.finalNorm = torch.nn.LayerNorm(d)

    def forward(self, tokens):
        b, t = tokens.shape
        start = torch.zeros((b, 1), dtype=torch.int64)
        shifted = start if t == 1 else torch.cat([start, tokens[:, :t - 1]], 1)
        positions = torch.arange(t)
        x = F.embedding(shifted, self.tokenEmbedding) + F.embedding(positions, self.positionEmbedding)
        mask = torch.triu(torch.full((t, t), MASKED), diagonal=1)  # built per forward, as Lethe does
        for layer in self.layers:
            x = layer(x, mask)
        return F.linear(self.finalNorm(x), self.tokenEmbedding)

    def load_lethe(self, weights):
        """Copies Lethe's parameters (DJL block paths, see org.lethe.models.transformer) into this model."""
        names = {"tokenEmbedding": self.tokenEmbedding, "positionEmbedding": self.positionEmbedding}
        for i, layer in enumerate(self.layers):
            prefix = f"{i + 1:02d}layer{i}_"
            parts = {"01attentionNorm": layer.attentionNorm, "02attention_01query": layer.attention.query,
                     "02attention_02key": layer.attention.key, "02attention_03value": layer.attention.value,
                     "02attention_04output": layer.attention.output, "03ffnNorm": layer.ffnNorm,
                     "04ffnIn": layer.ffnIn, "05ffnOut": layer.ffnOut}
            for key, module in parts.items():
                if isinstance(module, torch.nn.LayerNorm):
                    names[prefix + key + "_gamma"] = module.weight
                    names[prefix + key + "_beta"] = module.bias
                else:
                    names[prefix + key + "_weight"] = module.weight
                    names[prefix + key + "_bias"] = module.bias
        final = f"{len(self.layers) + 1:02d}finalNorm_"
        names[final + "gamma"] = self.finalNorm.weight
        names[final + "beta"] = self.finalNorm.bias
        with torch.no_grad():
            for name, param in names.items():
                value = weights[name]
                if tuple(value.shape) != tuple(param.shape):
                    raise ValueError(f"{name}: shape {tuple(value.shape)} vs {tuple(param.shape)}")
                param.copy_(value)
        if len(names) != len(weights):
            raise ValueError(f"{len(weights)} tensors in the file, {len(names)} parameters in the model")


def answer_log_probs(model, tokens, mask, timer):
    """Masked answer-token log-probabilities (WordLanguageModel.answerLogProbs)."""
    timer.start("forward")
    logits = model(tokens)
    timer.start("loss")
    log_probs = logits.log_softmax(-1)
    return log_probs.gather(-1, tokens.unsqueeze(-1)).squeeze(-1) * mask


def nll(model, batch, timer):
    """Mean answer-token NLL (LanguageModel.answerLoss): -sum(log p * mask) / sum(mask)."""
    tokens, mask = batch
    return answer_log_probs(model, tokens, mask, timer).sum().neg().div(mask.sum())


def mean_answer_probability(model, batch, timer):
    """FLAT's normalized averaging: mean probability over answer tokens, end marker excluded (Flat)."""
    tokens, mask = batch
    probabilities = answer_log_probs(model, tokens, mask, timer).exp() * mask
    nxt = torch.cat([mask[:, 1:], torch.zeros((mask.shape[0], 1))], 1)
    answer_tokens = mask * nxt
    return (probabilities * answer_tokens).sum().div(answer_tokens.sum())


def tv(x):
    """Total variation: g(x) = f*(g(x)) = tanh(x)/2 (Divergence.TOTAL_VARIATION)."""
    return x.tanh().div(torch.tensor(2.0))


def objective(kind, model, batches, params, timer):
    if kind == "train":
        return nll(model, batches[0], timer)
    if kind == "ga":
        return nll(model, batches[0], timer).neg()
    if kind == "graddiff":
        forget = nll(model, batches[0], timer).neg() * torch.tensor(params["gamma"])
        retain = nll(model, batches[1], timer)
        return forget + retain * torch.tensor(params["alpha"])
    if kind == "flat":
        x_f = mean_answer_probability(model, batches[0], timer)
        x_e = mean_answer_probability(model, batches[1], timer)
        return tv(x_e).neg() + tv(x_f)
    if kind == "iau":
        totals = {}
        for batch, (role, weight) in zip(batches, params["weights"]):
            term = nll(model, batch, timer) * torch.tensor(weight)
            totals[role] = term if role not in totals else totals[role] + term
        return totals["retain"] - totals["forget"]
    raise ValueError(kind)


def make_optimiser(spec, model):
    if spec["kind"] == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=spec["lr"], weight_decay=spec["weightDecay"])
    if spec["kind"] == "adam":
        return torch.optim.Adam(model.parameters(), lr=spec["lr"], eps=spec["eps"])
    raise ValueError(spec["kind"])


def run_workload(spec, model_spec, weights, warmup, measured, warmup_seconds):
    torch.manual_seed(0)
    model = WordTransformer(model_spec["vocabulary"], model_spec["maxLength"], model_spec["layers"],
                            model_spec["dModel"], model_spec["heads"], model_spec["ffn"])
    model.load_lethe(weights)
    model.train()
    kind = spec["kind"]
    fresh = spec["optimiser"].get("fresh", False)
    optimiser = make_optimiser(spec["optimiser"], model)
    steps = spec["steps"]
    params = spec.get("params", {})
    first_loss = None

    def one_step(i, timer):
        nonlocal optimiser, first_loss
        step = steps[i % len(steps)]
        timer.start("data")
        batches = [(torch.tensor(b["tokens"], dtype=torch.int64), torch.tensor(b["mask"], dtype=torch.float32))
                   for b in step["batches"]]
        if fresh:  # IAU: a fresh Adam every step, so that its first step is the sign step
            optimiser = make_optimiser(spec["optimiser"], model)
        loss = objective(kind, model, batches, dict(params, weights=step.get("weights")), timer)
        value = loss.item()
        if not math.isfinite(value):
            raise RuntimeError(f"{kind}: loss {value} at step {i}")
        if first_loss is None:
            first_loss = value
        timer.start("backward")
        loss.backward()
        timer.start("optimiser")
        optimiser.step()
        optimiser.zero_grad()

    rows = measure(one_step, warmup, measured, warmup_seconds)
    return rows, first_loss


def main():
    parser = arguments(__doc__.split("\n")[0], "workload", "the workload file MethodSteps wrote")
    args = parser.parse_args()
    t0 = time.perf_counter()
    with open(args.workload, encoding="utf-8") as f:
        workload = json.load(f)
    weights = read_safetensors(workload["model"]["weights"])
    only = set(filter(None, args.only.split(",")))
    for spec in workload["workloads"]:
        if only and spec["name"] not in only:
            continue
        warmup = spec.get("warmup", args.warmup)
        measured = spec.get("measured", args.steps)
        rows, first_loss = run_workload(spec, workload["model"], weights, warmup, measured, args.warmup_seconds)
        print(workload_line("pytorch", spec["name"], warmup, rows, firstLoss=first_loss), flush=True)
    print(done_line("pytorch", t0), flush=True)


if __name__ == "__main__":
    sys.exit(main())
