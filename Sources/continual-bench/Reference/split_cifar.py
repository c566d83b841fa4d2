#!/usr/bin/env python3
"""Split CIFAR-10 on the zenke CNN (or ResNet-32) in plain PyTorch: the protocol of
Docs/results/split-cifar10-zenke, written independently of ContinualKit, to compare accuracy (within seed
noise), end-to-end time and peak memory.

    ~/.cache/torchref/bin/python Sources/continual-bench/Reference/split_cifar.py \
        --data-dir ../shared/data --algorithms finetune,ewc,si,er --scenario task,class --seed 1
    # issue 30's end-to-end protocol, as `continual-bench --only cifar` runs it (one run per process):
    ~/.cache/torchref/bin/python Sources/continual-bench/Reference/split_cifar.py --data-dir ../shared/data \
        --network resnet32 --algorithms ewc --scenario task --epochs 2 --train-per-task 10000 --test-per-task 2000

Protocol (as `continual compare --benchmark split-cifar10 --network zenke` with the table's flags):
5 tasks of classes {0,1},{2,3},...; per seed, a random class-balanced subset of 2000 training and 1000
test images per task; per-channel normalisation by the whole training set's mean and std; training
images padded with 4 black pixels, randomly cropped to 32x32 and flipped with probability 1/2; Adam
lr 1e-3 (not reset), batch 128, 3 epochs per task (partial last batch kept; --epochs, --train-per-task and
--test-per-task change the three counts, 0 images meaning all of the task's); task-IL: each task its
own 2 output units; class-IL: every unit of the classes seen so far. Evaluation after each task on
every task's test subset. EWC: lambda 500 (--ewc-lambda), Fisher at the expected label over the task's units, every
training sample, evaluation mode, one penalty per task (lambda/2 * sum F (theta - theta*)^2). SI:
c 0.1 (--si-c), xi 1e-3, path integral of the task-loss gradient times the applied Adam step, importance
clamped at 0, penalty c * sum Omega (theta - theta*)^2. ER: 500 exemplars, the first of each class
(class-balanced), 32 replayed per step, augmented like the current images, one loss over both.
--network resnet32 trains He et al.'s CIFAR ResNet-32 of Reference/convnets.py (BatchNorm, option-A shortcuts)
instead of the zenke CNN. Both start as ContinualKit starts them (--init ours, Docs/Networks.md: zenke
Glorot-uniform with zero biases, resnet32 He-normal); --init pytorch keeps PyTorch's layer defaults,
which every record before 2026-12-08 used (they have no "init" key). Prints one JSON object per run.
"""
import argparse, gzip, json, math, os, sys, time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad, vmap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convnets import resnet32  # noqa: E402  (the same ResNet-32 as `continual-bench --only convnets`)


def read_batch(directory, name):
    for path in (os.path.join(directory, name), os.path.join(directory, name + ".gz")):
        if os.path.exists(path):
            raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
            records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
            return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].astype(np.int64)
    raise SystemExit(f"missing {name}(.gz) in {directory}")


def load_cifar10(root):
    directory = os.path.join(root, "cifar-10")
    train = [read_batch(directory, f"data_batch_{b}.bin") for b in range(1, 6)]
    x_train, y_train = np.concatenate([t[0] for t in train]), np.concatenate([t[1] for t in train])
    x_test, y_test = read_batch(directory, "test_batch.bin")
    # The per-channel mean and (population) deviation in double precision, as ContinualKit's
    # channelStatistics() computes them, then float32.
    scaled = x_train.astype(np.float64) / 255
    mean = scaled.mean(axis=(0, 2, 3))
    std = np.sqrt(np.maximum((scaled ** 2).mean(axis=(0, 2, 3)) - mean ** 2, 0))
    return x_train, y_train, x_test, y_test, mean.astype(np.float32), std.astype(np.float32)


MASK = (1 << 64) - 1


class Xoshiro:
    """ContinualKit's SeededGenerator (xoshiro256**, state expanded from the seed by SplitMix64)."""

    def __init__(self, seed):
        x, words = seed & MASK, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            words.append(z ^ (z >> 31))
        self.s = words

    @staticmethod
    def _rotate(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self._rotate((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotate(s[3], 45)
        return result

    def below(self, bound):
        limit = MASK - MASK % bound
        while True:
            x = self.next()
            if x < limit:
                return x % bound

    def shuffle(self, values):
        for i in range(len(values) - 1, 0, -1):
            j = self.below(i + 1)
            values[i], values[j] = values[j], values[i]

    def split(self):
        return Xoshiro(self.next())


def stratified_sample(labels, count, rng):
    """LabelledImages.stratifiedSample: positions of a class-balanced subset, in their original order."""
    if count >= len(labels):
        return np.arange(len(labels))
    by_class = [list(np.flatnonzero(labels == c)) for c in range(int(labels.max()) + 1)]
    for members in by_class:
        rng.shuffle(members)
    chosen, depth = [], 0
    while len(chosen) < count:
        for members in by_class:
            if depth < len(members) and len(chosen) < count:
                chosen.append(members[depth])
        depth += 1
    return np.array(sorted(chosen))


def our_task_rows(y_train, y_test, seed, train_per_task, test_per_task, tasks=5, classes_per_task=2):
    """Per task of classes {2t, 2t+1} (no class shuffling): the positions, in the training and test sets, of
    the images ContinualKit's `TaskSequence.subsample(trainPerTask:testPerTask:seed:)` keeps (each task's
    images in file order, a stratified sample from the seed's generator split once for the training and
    once for the test set of every task); 0 images per task keeps them all."""
    rng, rows = Xoshiro(seed), []
    for t in range(tasks):
        classes = list(range(classes_per_task * t, classes_per_task * (t + 1)))
        picked = []
        for labels, count in ((y_train, train_per_task), (y_test, test_per_task)):
            generator = rng.split()
            members = np.flatnonzero(np.isin(labels, classes))
            if count > 0:
                members = members[stratified_sample(labels[members] - classes[0], count, generator)]
            picked.append(members)
        rows.append(tuple(picked))
    return rows


def crop_flip(images, rng):
    """The CIFAR augmentation on uint8 NCHW images: a 32x32 crop of the image padded with 4 black
    pixels (before normalisation, as ours), then a left-right flip with probability 1/2."""
    n = len(images)
    padded = np.zeros((n, 3, 40, 40), dtype=np.uint8)
    padded[:, :, 4:36, 4:36] = images
    out = np.empty_like(images)
    dx, dy, flip = rng.integers(0, 9, n), rng.integers(0, 9, n), rng.random(n) < 0.5
    for i in range(n):
        crop = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop[:, :, ::-1] if flip[i] else crop
    return out


def zenke(classes):
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(64 * 6 * 6, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, classes))


def init_like_ours(model, network):
    """The network's initialisation in ContinualKit (Docs/Networks.md). zenke: Glorot-uniform weights
    and zero biases in every convolution and linear layer (Keras's defaults, SI's code). resnet32:
    He-normal convolutions, an N(0, 1/fan-in) output layer with zero bias, BatchNorm weight 1 and bias 0
    (iCaRL's Lasagne code)."""
    for module in model.modules():
        if network == "zenke" and isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
        elif network == "resnet32" and isinstance(module, nn.Conv2d):
            nn.init.normal_(module.weight, 0, math.sqrt(2 / module.weight[0].numel()))
        elif network == "resnet32" and isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0, math.sqrt(1 / module.in_features))
            nn.init.zeros_(module.bias)
        elif network == "resnet32" and isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


class Protocol:
    def __init__(self, data, seed, train_per_task, test_per_task, mean, std):
        x_train, y_train, x_test, y_test = data
        rng = np.random.default_rng(seed)
        self.tasks = []
        for t in range(5):
            def pick(x, y, per_task):
                # 0 = every image of the task's two classes.
                take = per_task // 2 if per_task > 0 else len(y)
                rows = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:take] for c in (2 * t, 2 * t + 1)])
                rows = rng.permutation(rows)
                return x[rows], y[rows] - 2 * t
            self.tasks.append((pick(x_train, y_train, train_per_task), pick(x_test, y_test, test_per_task)))
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)
        self.rng = rng

    def floats(self, images):
        return (torch.from_numpy(np.ascontiguousarray(images)).float() / 255 - self.mean) / self.std

    def augmented(self, images):
        return self.floats(crop_flip(images, self.rng))


def columns(scenario, task):
    return (2 * task, 2 * task + 2) if scenario == "task" else (0, 2 * task + 2)


def loss_of(model_output, labels, tasks, scenario, current):
    """Cross-entropy of each sample over its head's units, averaged over the batch."""
    total = 0
    for t in sorted(set(tasks.tolist())):
        rows = tasks == t
        lo, hi = columns(scenario, t if scenario == "task" else current)
        offset = 2 * t - lo
        total = total + F.cross_entropy(model_output[rows, lo:hi], labels[rows] + offset, reduction="sum")
    return total / len(labels)


def evaluate(model, protocol, scenario, trained_through):
    model.eval()
    accuracies = []
    with torch.no_grad():
        for t, (_, (x, y)) in enumerate(protocol.tasks):
            lo, hi = columns(scenario, t if scenario == "task" else trained_through)
            logits = model(protocol.floats(x))[:, lo:hi]
            accuracies.append(float((logits.argmax(1) == torch.from_numpy(y) + 2 * t - lo).float().mean()))
    model.train()
    return accuracies


def fisher(model, protocol, scenario, task):
    """Expected-label Fisher over the task's units, per-sample gradients via vmap, mean over samples."""
    model.eval()
    params = {k: v.detach() for k, v in model.named_parameters()}
    lo, hi = columns(scenario, task)
    x_all = protocol.floats(protocol.tasks[task][0][0])

    def log_probs(p, x):
        return F.log_softmax(functional_call(model, p, (x.unsqueeze(0),))[0, lo:hi], 0)

    def weighted_square_sum(p, x):
        lp = log_probs(p, x)
        probs = lp.exp().detach()
        grads = [grad(lambda q, c=c: log_probs(q, x)[c])(p) for c in range(hi - lo)]
        return {k: sum(probs[c] * grads[c][k] ** 2 for c in range(hi - lo)) for k in p}

    total = {k: torch.zeros_like(v) for k, v in params.items()}
    for start in range(0, len(x_all), 100):
        batch = vmap(weighted_square_sum, in_dims=(None, 0))(params, x_all[start:start + 100])
        for k in total:
            total[k] += batch[k].sum(0)
    model.train()
    return {k: v / len(x_all) for k, v in total.items()}


def run(algorithm, scenario, seed, protocol, args):
    torch.manual_seed(seed)
    model = resnet32(10) if args.network == "resnet32" else zenke(10)
    if args.init == "ours":
        init_like_ours(model, args.network)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    names = [k for k, _ in model.named_parameters()]
    penalties = []  # EWC: (fisher, anchor) per task
    si_omega = {k: torch.zeros_like(p) for k, p in model.named_parameters()}
    si_importance = {k: torch.zeros_like(p) for k, p in model.named_parameters()}
    si_anchor = None
    memory = []  # ER: (images, labels, tasks)
    matrix, start = [], time.perf_counter()
    for t, ((x, y), _) in enumerate(protocol.tasks):
        task_start = {k: p.detach().clone() for k, p in model.named_parameters()}
        n = len(x)
        for epoch in range(args.epochs):
            order = protocol.rng.permutation(n)
            for b in range(0, n, 128):
                rows = order[b:b + 128]
                images, labels, tasks = x[rows], y[rows], np.full(len(rows), t)
                if algorithm == "er" and memory:
                    mx, my, mt = memory
                    picked = protocol.rng.integers(0, len(mx), 32)
                    images, labels, tasks = (np.concatenate([images, mx[picked]]), np.concatenate([labels, my[picked]]),
                                             np.concatenate([tasks, mt[picked]]))
                inputs = protocol.augmented(images)
                task_loss = loss_of(model(inputs), torch.from_numpy(labels), torch.from_numpy(tasks), scenario, t)
                params = list(model.parameters())
                task_grads = torch.autograd.grad(task_loss, params)
                penalty = None
                if algorithm == "ewc" and penalties:
                    penalty = sum(0.5 * args.ewc_lambda * (f[k] * (p - a[k]) ** 2).sum() for f, a in penalties for k, p in model.named_parameters())
                if algorithm == "si" and si_anchor is not None:
                    penalty = sum(args.si_c * (si_importance[k] * (p - si_anchor[k]) ** 2).sum() for k, p in model.named_parameters())
                penalty_grads = torch.autograd.grad(penalty, params) if penalty is not None else [0] * len(params)
                before = [p.detach().clone() for p in params]
                for p, g, h in zip(params, task_grads, penalty_grads):
                    p.grad = g + h
                opt.step()
                if algorithm == "si":
                    for k, p, p0, g in zip(names, params, before, task_grads):
                        si_omega[k] -= g * (p.detach() - p0)
        if algorithm == "ewc":
            penalties.append((fisher(model, protocol, scenario, t), {k: p.detach().clone() for k, p in model.named_parameters()}))
        if algorithm == "si":
            for k, p in model.named_parameters():
                delta = p.detach() - task_start[k]
                si_importance[k] = (si_importance[k] + si_omega[k] / (delta ** 2 + 1e-3)).clamp(min=0)
                si_omega[k].zero_()
            si_anchor = {k: p.detach().clone() for k, p in model.named_parameters()}
        if algorithm == "er":
            seen = 2 * (t + 1)
            per_class = 500 // seen
            parts = [(tx[ty == c][:per_class], ty[ty == c][:per_class], np.full(min(per_class, int((ty == c).sum())), tt))
                     for tt, ((tx, ty), _) in enumerate(protocol.tasks[:t + 1]) for c in (0, 1)]
            memory = tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
        matrix.append(evaluate(model, protocol, scenario, t))
    final = matrix[-1]
    strength = {"ewc": {"ewc_lambda": args.ewc_lambda}, "si": {"si_c": args.si_c}}.get(algorithm, {})
    return {"algorithm": algorithm, "scenario": scenario, "seed": seed, "network": args.network, "init": args.init, **strength,
            "epochs": args.epochs, "train_per_task": args.train_per_task, "accuracy_matrix": matrix,
            "average_accuracy": sum(final) / len(final), "wall_seconds": time.perf_counter() - start}



def append_record(path, record, summary):
    """Appends one run's record to the JSON Lines file `path` and says `summary` on standard error
    (the parity scripts' records, beside ours)."""
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
    print(summary, file=sys.stderr, flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default="../shared/data")
    p.add_argument("--algorithms", default="finetune,ewc,si,er")
    p.add_argument("--scenario", default="task,class")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--train-per-task", type=int, default=2000)
    p.add_argument("--test-per-task", type=int, default=1000)
    p.add_argument("--network", choices=["zenke", "resnet32"], default="zenke")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ewc-lambda", type=float, default=500, help="EWC's lambda (default 500)")
    p.add_argument("--si-c", type=float, default=0.1, help="SI's c (default 0.1)")
    p.add_argument("--init", choices=["ours", "pytorch"], default="ours",
                   help="the network's initialisation as ContinualKit's (default) or PyTorch's layer defaults")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x_train, y_train, x_test, y_test, mean, std = load_cifar10(a.data_dir)
    for scenario in a.scenario.split(","):
        for algorithm in a.algorithms.split(","):
            protocol = Protocol((x_train, y_train, x_test, y_test), a.seed, a.train_per_task, a.test_per_task, mean, std)
            print(json.dumps(run(algorithm, scenario, a.seed, protocol, a)), flush=True)


if __name__ == "__main__":
    main()
