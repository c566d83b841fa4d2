#!/usr/bin/env python3
"""Plain PyTorch on ContinualKit's permuted-MNIST protocol, for side-by-side memory and speed.

The protocol `continual-bench --only memory` runs on our side: T tasks of permuted MNIST (task 1
unpermuted), a 784-400-400-10 ReLU MLP with one shared head (domain-incremental), Adam lr 1e-3,
batch 128, a fixed number of iterations per task (reshuffled passes, partial batches skipped), and
after each task the test accuracy on every task, evaluated 1,000 images at a time.

`--algorithm` adds our defaults' regularisers, for the sweep of `continual-bench --only sweep`:
- `ewc`: λ 500, penalty (λ/2) Σ F (θ − θ*)², one penalty per earlier task, F the Fisher at the expected
  label over the task's whole training set (each sample's squared gradient of log p(c|x) weighted by
  p(c|x), summed over the 10 labels, mean over samples). The per-sample squares are computed the way
  a careful user writes them for an MLP: the backward pass of each label by hand in batches, the
  labels' p·δ² summed per layer, then one (Σ p δ²)ᵀ(a²) product per linear layer, so no per-sample
  gradient is ever materialised (the same arithmetic as ours, `OuterProductGradientLayer`).
- `si`: c 5, ξ 0.1, penalty c Σ Ω (θ − θ*)², ω accumulated from the task loss's gradient, Ω clamped at 0.
- `mas`: λ 0.05, penalty λ Σ Ω (θ − θ*)², Ω += |∂ Σ_batch ‖f(x)‖² / ∂θ| / N over batches of 200.

It is written the way a careful PyTorch user would write it: the images stay as one uint8 tensor,
and each mini-batch is permuted and converted to float when it is drawn. It prints one JSON line
with the peak resident set size (ru_maxrss), the wall time and the final average accuracy.

    python permuted_mnist.py --data-dir ../shared/data --tasks 5 --iterations 500
"""
import argparse
import gzip
import json
import os
import resource
import time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def locate(directory, name):
    for folder in (os.path.join(directory, "mnist"), directory):
        for candidate in (name + ".gz", name):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    raise SystemExit(f"cannot find {name}[.gz] in {directory} or its mnist/ folder")


class Regulariser:
    """EWC, SI or MAS beside the optimiser: adds the penalty's gradient to the task loss's gradient
    (so SI's path integral sees the task gradient alone), and estimates importance after a task."""

    def __init__(self, algorithm, model):
        self.algorithm, self.model = algorithm, model
        self.params = list(model.parameters())
        self.penalties = []  # (importance, anchor, weight) per penalty term
        if algorithm == "si":
            self.omega = [torch.zeros_like(p) for p in self.params]
            self.importance = [torch.zeros_like(p) for p in self.params]
            self.start = [p.detach().clone() for p in self.params]

    def before_step(self):
        if self.algorithm == "si":
            self.task_gradient = [p.grad.detach().clone() for p in self.params]
            self.previous = [p.detach().clone() for p in self.params]
        with torch.no_grad():
            for importance, anchor, weight in self.penalties:
                for p, f, a in zip(self.params, importance, anchor):
                    p.grad.add_(f * (p - a), alpha=weight)

    def after_step(self):
        if self.algorithm == "si":
            with torch.no_grad():
                for w, g, p, q in zip(self.omega, self.task_gradient, self.params, self.previous):
                    w.sub_(g * (p - q))

    def task_finished(self, images, count):
        anchor = [p.detach().clone() for p in self.params]
        if self.algorithm == "ewc":
            self.penalties.append((self.expected_fisher(images, count), anchor, 500.0))
        elif self.algorithm == "mas":
            self.penalties = [(self.mas_importance(images, count), anchor, 2 * 0.05)]
        elif self.algorithm == "si":
            for big, w, p, s in zip(self.importance, self.omega, self.params, self.start):
                big.add_(w / ((p.detach() - s) ** 2 + 0.1)).clamp_(min=0)
                w.zero_()
                s.copy_(p.detach())
            self.penalties = [(self.importance, anchor, 2 * 5.0)]

    @torch.no_grad()
    def expected_fisher(self, images, count, chunk=1000):
        linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        fisher = [torch.zeros_like(p) for p in self.params]
        for first in range(0, count, chunk):
            inputs, pre = [images(first, min(first + chunk, count))], []
            for k, layer in enumerate(linears):
                pre.append(layer(inputs[-1]))
                if k + 1 < len(linears):
                    inputs.append(pre[-1].relu())
            probs = pre[-1].softmax(1)
            folded = [0] * len(linears)  # per layer, Σ_labels p(label) δ², before one product with a²
            for label in range(probs.shape[1]):
                delta = probs.clone()
                delta[:, label] -= 1
                weight = probs[:, label:label + 1]
                for k in reversed(range(len(linears))):
                    folded[k] = folded[k] + weight * delta * delta
                    if k:
                        delta = (delta @ linears[k].weight) * (pre[k - 1] > 0)
            for k, x in enumerate(inputs):
                fisher[2 * k].add_(folded[k].T @ (x * x))
                fisher[2 * k + 1].add_(folded[k].sum(0))
        return [f / count for f in fisher]

    def mas_importance(self, images, count, chunk=200):
        importance = [torch.zeros_like(p) for p in self.params]
        for first in range(0, count, chunk):
            self.model.zero_grad(set_to_none=True)
            self.model(images(first, min(first + chunk, count))).pow(2).sum().backward()
            for big, p in zip(importance, self.params):
                big.add_(p.grad.abs())
        self.model.zero_grad(set_to_none=True)
        previous = self.penalties[0][0] if self.penalties else None
        return [i / count + (previous[k] if previous else 0) for k, i in enumerate(importance)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=os.environ.get("CONTINUAL_DATA", "../shared/data"))
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--test-per-task", type=int, default=0, help="test images per task (0 = all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--algorithm", choices=["finetune", "ewc", "si", "mas"], default="finetune")
    parser.add_argument("--hidden", type=int, default=400)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = np.random.default_rng(args.seed)

    train_x = torch.from_numpy(read_idx(locate(args.data_dir, "train-images-idx3-ubyte")).reshape(-1, 784).copy())
    train_y = torch.from_numpy(read_idx(locate(args.data_dir, "train-labels-idx1-ubyte")).astype(np.int64))
    test_x = torch.from_numpy(read_idx(locate(args.data_dir, "t10k-images-idx3-ubyte")).reshape(-1, 784).copy())
    test_y = torch.from_numpy(read_idx(locate(args.data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64))
    if args.test_per_task:
        test_x, test_y = test_x[: args.test_per_task], test_y[: args.test_per_task]
    permutations = [torch.arange(784)] + [torch.from_numpy(generator.permutation(784)) for _ in range(args.tasks - 1)]

    h = args.hidden
    model = torch.nn.Sequential(
        torch.nn.Linear(784, h), torch.nn.ReLU(), torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Linear(h, 10))
    regulariser = Regulariser(args.algorithm, model)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)

    def batch(images, indices, permutation):
        return images[indices][:, permutation].float().div_(255)

    start = time.perf_counter()
    accuracies = []
    for task, permutation in enumerate(permutations):
        model.train()
        order, position = torch.randperm(len(train_y)), 0
        for _ in range(args.iterations):
            if position + args.batch_size > len(order):
                order, position = torch.randperm(len(train_y)), 0
            indices = order[position: position + args.batch_size]
            position += args.batch_size
            loss = torch.nn.functional.cross_entropy(model(batch(train_x, indices, permutation)), train_y[indices])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            regulariser.before_step()
            optimiser.step()
            regulariser.after_step()
        regulariser.task_finished(lambda first, last: batch(train_x, torch.arange(first, last), permutation),
                                  len(train_y))
        model.eval()
        row = []
        with torch.no_grad():
            for seen in permutations:
                correct = 0
                for first in range(0, len(test_y), 1000):
                    indices = torch.arange(first, min(first + 1000, len(test_y)))
                    correct += (model(batch(test_x, indices, seen)).argmax(1) == test_y[indices]).sum().item()
                row.append(correct / len(test_y))
        accuracies.append(row)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "workload": f"permuted-mnist {args.tasks} tasks {args.algorithm}",
        "torch_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "torch_seconds": seconds,
        "torch_average_accuracy": sum(accuracies[-1]) / len(accuracies[-1]),
        "torch_version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
