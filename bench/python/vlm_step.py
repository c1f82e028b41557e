#!/usr/bin/python3
"""The PyTorch side of Lethe's vision-language step benchmark (BENCHMARKS.md, "Vision-language model against
PyTorch (issue 9)").

Builds the same network as Lethe's ``vision-language-transformer`` (bundles/models,
org.lethe.models.vision.VisionLanguageTransformer), parameter for parameter under Lethe's names:

- image encoder: conv ``encoder.conv.0`` (stride 2, padding kernel // 2), ReLU, conv ``encoder.conv.1``
  (stride 2); the (imageSize / 4)^2 grid as tokens, row by row, plus ``encoder.row[r] + encoder.column[c]``;
- question: lower-cased words split on white space (the questions have no punctuation), looked up in the
  tokenizer's list (markers first, unknown words to ``<unk>``), padded with ``<pad>`` to the batch's longest,
  ``encoder.token`` plus ``encoder.position``;
- the sequence [``encoder.cls``, visual tokens, question tokens]; padded positions masked as keys (-1e9);
- ``layers`` pre-LN blocks: x + output(attention(norm1 x)), then + mlp.out(GELU(mlp.in(norm2 ·))); attention
  softmax(q * d_head^-1/2 k^T + mask) v over heads, q/k/v/output with bias; LayerNorm eps 1e-5;
- the head: ``head.answer(head.norm(sequence[:, 0]))``.

Token and position embeddings use ``F.embedding`` where Lethe multiplies by a one-hot matrix (the same
function): this is the network as a PyTorch user writes it.

It reads Lethe's weights from the safetensors file Lethe wrote (no pickle) and the check file the Java harness
(org.lethe.bench.VlmSteps) wrote: the tokenizer's list, the batch of 128 (images in [-1, 1], questions, answer
indices), Lethe's token ids, Lethe's logits on the batch and on its first item, and the losses of Lethe's first
training steps from these weights. Before timing anything it compares: the token ids, the logits (exit status 3
if they differ by 1e-4 or more anywhere) and the losses of the same number of AdamW steps (reported).

Workloads:

- fwd-b1:     the logits of the first question, no gradient (tokenising included)
- fwd-b128:   the same for the batch of 128
- train-b128: the recipe's step on the batch: logits with gradient, cross-entropy (read every step, as Lethe's
              loop reads it), backward, AdamW(2e-3, weight decay 0.01), zero_grad

Each step or call is timed with the thread's CPU time and wall time, per phase for the training step. One
intra-op and one inter-op thread. Prints one JSON line per workload on stdout.

Usage: /usr/bin/python3 bench/python/vlm_step.py CHECK.json [--warmup N] [--steps N] [--warmup-seconds S]
       [--only a,b] [--check-only]
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
WORKLOADS = ("fwd-b1", "fwd-b128", "train-b128")


class Block(torch.nn.Module):
    """One pre-LN block (VisionLanguageTransformer.Block.fusion)."""

    def __init__(self, w, heads, mlp):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(w, eps=EPS)
        self.query, self.key, self.value, self.output = (torch.nn.Linear(w, w) for _ in range(4))
        self.norm2 = torch.nn.LayerNorm(w, eps=EPS)
        self.mlp_in = torch.nn.Linear(w, mlp)
        self.mlp_out = torch.nn.Linear(mlp, w)

    def forward(self, x, mask):
        b, n, w = x.shape
        dh = w // self.heads
        h = self.norm1(x)
        q = self.query(h).reshape(b, n, self.heads, dh).transpose(1, 2)
        k = self.key(h).reshape(b, n, self.heads, dh).permute(0, 2, 3, 1)
        v = self.value(h).reshape(b, n, self.heads, dh).transpose(1, 2)
        weights = (q * (1.0 / math.sqrt(dh))).matmul(k).add(mask).softmax(3)
        y = x + self.output(weights.matmul(v).transpose(1, 2).reshape(b, n, w))
        return y + self.mlp_out(F.gelu(self.mlp_in(self.norm2(y))))


class Vlm(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        w, k, cw = cfg["width"], cfg["kernel"], cfg["convWidth"]
        self.side = cfg["imageSize"] // 4
        self.ids = {word: i for i, word in enumerate(cfg["tokens"])}
        self.unknown, self.pad = cfg["unknown"], cfg["pad"]
        self.conv0 = torch.nn.Conv2d(cfg["channels"], cw, k, stride=2, padding=k // 2)
        self.conv1 = torch.nn.Conv2d(cw, w, k, stride=2, padding=k // 2)
        self.row = torch.nn.Parameter(torch.zeros(self.side, w))
        self.column = torch.nn.Parameter(torch.zeros(self.side, w))
        self.cls = torch.nn.Parameter(torch.zeros(w))
        self.token = torch.nn.Parameter(torch.zeros(len(cfg["tokens"]), w))
        self.position = torch.nn.Parameter(torch.zeros(cfg["maxQuestionTokens"] + cfg["maxAppended"], w))
        self.blocks = torch.nn.ModuleList([Block(w, cfg["heads"], cfg["mlp"]) for _ in range(cfg["layers"])])
        self.head_norm = torch.nn.LayerNorm(w, eps=EPS)
        self.head_answer = torch.nn.Linear(w, len(cfg["answers"]))

    def lethe_names(self):
        """Lethe's parameter name -> this model's parameter."""
        out = {}
        for name, param in self.named_parameters():
            parts = name.split(".")
            if parts[0] == "blocks":
                attention = ["attention"] if parts[2] in ("query", "key", "value", "output") else []
                parts = ["fusion", parts[1]] + attention + parts[2].split("_") + parts[3:]
            elif parts[0] in ("conv0", "conv1"):
                parts = ["encoder", "conv", parts[0][-1]] + parts[1:]
            elif parts[0] in ("row", "column", "cls", "token", "position"):
                parts = ["encoder"] + parts
            else:
                parts = parts[0].split("_") + parts[1:]
            out[".".join(parts)] = param
        return out

    def load_lethe(self, weights):
        copy_weights(self.lethe_names(), weights)

    def tokenize(self, questions):
        """The token ids (batch, longest), padded, and each question's length."""
        rows = [[self.ids.get(word, self.unknown) for word in q.lower().split()] for q in questions]
        longest = max(len(r) for r in rows)
        ids = torch.tensor([r + [self.pad] * (longest - len(r)) for r in rows], dtype=torch.int64)
        return ids, [len(r) for r in rows]

    def forward(self, images, questions):
        ids, lengths = self.tokenize(questions)
        b, longest = ids.shape
        x = self.conv1(F.relu(self.conv0(images)))
        w = x.shape[1]
        # token r * side + c: row r, column c
        grid = (self.row.reshape(self.side, 1, w) + self.column.reshape(1, self.side, w)).reshape(-1, w)
        visual = x.reshape(b, w, -1).transpose(1, 2) + grid
        text = F.embedding(ids, self.token) + self.position[:longest]
        sequence = torch.cat([self.cls.expand(b, 1, w), visual, text], 1)
        first = 1 + visual.shape[1]
        mask = torch.zeros(b, 1, 1, sequence.shape[1])
        for i, length in enumerate(lengths):
            mask[i, 0, 0, first + length:] = MASKED
        for block in self.blocks:
            sequence = block(sequence, mask)
        return self.head_answer(self.head_norm(sequence[:, 0]))


def tensor(spec):
    return torch.tensor(spec["values"], dtype=torch.float32).reshape(spec["shape"])


def check(model, data, steps):
    """Max abs differences to Lethe's outputs; raises SystemExit(3) when the logits are off. Trains a copy."""
    images, questions = tensor(data["images"]), data["questions"]
    ids, lengths = model.tokenize(questions)
    tokens = all(ids[i, :n].tolist() == data["tokenIds"][i] for i, n in enumerate(lengths))
    with torch.no_grad():
        logits128 = model(images, questions)
        logits1 = model(images[:1], questions[:1])
    # the losses of the first steps, on a copy (the timed model keeps the file's weights)
    copy = Vlm(data["model"])
    copy.load_state_dict(model.state_dict())
    optimiser = torch.optim.AdamW(copy.parameters(), lr=data["learningRate"], weight_decay=data["weightDecay"])
    targets = torch.tensor(data["targets"], dtype=torch.int64)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(copy(images, questions), targets)
        losses.append(loss.item())
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    diffs = {"tokens": tokens,
             "logits128": (logits128 - tensor(data["logits128"])).abs().max().item(),
             "logits1": (logits1 - tensor(data["logits1"])).abs().max().item(),
             "losses": max(abs(a - b) for a, b in zip(losses, data["losses"])),
             "lossesPyTorch": losses}
    passed = tokens and diffs["logits128"] < TOLERANCE and diffs["logits1"] < TOLERANCE
    result = {"side": "pytorch", "check": diffs, "tolerance": TOLERANCE, "passed": passed,
              "logitsMaxAbs": tensor(data["logits128"]).abs().max().item(),
              "lossFirst": data["losses"][0], "lossLast": data["losses"][-1]}
    print(json.dumps(result), flush=True)
    if not passed:
        print(f"vlm_step.py: the tokens or logits differ from Lethe's ({diffs}): not the same model, no timings",
              file=sys.stderr)
        raise SystemExit(3)


def run_workload(name, model, data, warmup, measured, warmup_seconds):
    images, questions = tensor(data["images"]), data["questions"]
    if name.startswith("fwd-"):
        x, q = (images[:1], questions[:1]) if name == "fwd-b1" else (images, questions)

        def step(i, timer):
            timer.start("forward")  # a call is one phase, as on Lethe's side
            with torch.no_grad():
                model(x, q)
        return measure(step, warmup, measured, warmup_seconds)
    optimiser = torch.optim.AdamW(model.parameters(), lr=data["learningRate"], weight_decay=data["weightDecay"])
    targets = torch.tensor(data["targets"], dtype=torch.int64)

    def train(i, timer):
        timer.start("data")  # the images copied, as Lethe copies them into the step's scope
        x = images.clone()
        train_step(timer, lambda: model(x, questions), lambda logits: F.cross_entropy(logits, targets), optimiser)
    return measure(train, warmup, measured, warmup_seconds)


def main():
    parser = arguments(__doc__.split("\n")[0], "check", "the check file VlmSteps wrote")
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    with open(args.check, encoding="utf-8") as f:
        data = json.load(f)
    model = Vlm(data["model"])
    model.load_lethe(read_safetensors(data["weights"]))
    model.train()  # no dropout or batch statistics anywhere: train and eval are the same function
    check(model, data, len(data["losses"]))
    if args.check_only:
        return 0
    only = set(filter(None, args.only.split(",")))
    for name in WORKLOADS:
        if only and name not in only:
            continue
        rows = run_workload(name, model, data, args.warmup, args.steps, args.warmup_seconds)
        print(workload_line("pytorch", name, args.warmup, rows), flush=True)
    print(done_line("pytorch", t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
