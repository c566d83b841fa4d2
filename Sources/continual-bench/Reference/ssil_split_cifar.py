#!/usr/bin/env python3
"""SS-IL (Ahn et al., ICCV 2021) on class-incremental split CIFAR-10 with ResNet-32, in plain PyTorch:
the training loop of the authors' official code (hongjoon0805/SS-IL-Official@8c32381: main.py,
trainer/ssil.py, trainer/ft.py, trainer/trainer_factory.py, data_handler/incremental_loader.py),
written here from reading it, for the parity table of Docs/Reproductions.md (issue 29). It contains
no code of that repository. The official repository has no CIFAR data loader and no ResNet-32 file
(its model factory imports one that is missing), so the data side and the network come from this
project: CIFAR-10 as split_cifar.py reads it, ResNet-32 from convnets.py (our layer layout).

The loop, as the official code runs it (file:lines of the official repository in brackets):
- Task t trains at lr/(t+1) [main.py:59-64]; one SGD optimiser for the whole run (momentum 0.9,
  weight decay 1e-4 on every parameter, not Nesterov), its momentum kept between tasks, its learning
  rate reset at each task start [trainer_factory.py:78-82, 107-112]; optional step decay: lr times
  `--gamma` at each epoch of `--milestones` [trainer_factory.py:92-100] (official ImageNet command:
  100 epochs, milestones 40 and 80, gamma 0.1; `--factor` divides later tasks' epochs and milestones,
  1 in the README's command; the official default 4 applies from the second task on [main.py:62-64]).
- Before each task the model of the previous one is copied and frozen in evaluation mode
  [trainer_factory.py:114-119].
- ssil: each step joins a shuffled batch of B current-task images (`--batch-size` 128) with R
  replayed exemplars (`--replay-batch` 32) in one forward pass in training mode (BatchNorm statistics
  of all B + R); loss = (sum of CE over the new classes' logits for the current images + sum of CE
  over all old classes' logits for the replayed ones) / (B + R), plus, for every previous task s,
  KL(softmax(z_frozen[task s] / T) || softmax(z[task s] / T)) * T^2, batch mean over all B + R images,
  T = 2, weight 1 [ssil.py:23-98]. First task: sum of CE over its classes / B. The epoch ends with the
  current-task loader. The exemplar loader [trainer_factory.py:43-65] is as long as the whole
  training set, item k being exemplar k mod |M|, reshuffled every epoch, batches of R, dropping the
  last partial one (`--replay-draw official`; `uniform` draws R exemplars uniformly with replacement
  per step, as ContinualKit does). Exemplars are augmented as the current images.
- ft (`--trainer ft`, the official code's replay baseline): the exemplars are added to the task's
  training set [incremental_loader.py:93-95] and one mean CE over every seen class's logits is
  minimised, at lr/(t+1) too, no distillation [ft.py:45-73, the branch without `prev_new`; the
  committed ft.py reads `args.prev_new`, which arguments.py never defines, so as committed it stops
  with an AttributeError on the second task].
- Memory after each task [incremental_loader.py:122-149]: total budget |M| (`--memory`), per-class
  quota q = ceil(|M| / classes seen); each new class adds its first q training images (here: in the
  order of the task's training subset, as our `memory.selection=first`; the official "first" follows
  an unstable argsort of the labels, an arbitrary fixed subset); old classes are cut to q; if the total
  still exceeds |M|, one exemplar is removed from each of the (total - |M|) classes that come last in
  numpy's argsort of the per-class counts (over all 10 classes, unseen ones counting 0).
- Evaluation after each task, in evaluation mode, on every task's test images: the arg-max over the
  logits of every class seen so far (classes of tasks up to max(t, j) for task j, as ours), no bias
  correction [trainer/__init__.py:128-165].

The protocol, matched to `continual compare --benchmark split-cifar10 --scenario class --algorithms ssil
--network resnet32` (Docs/Reproductions.md gives both commands):
- CIFAR-10 from `--data-dir`/cifar-10 (binary layout, gzipped or not), pixels / 255 normalised per
  channel by the whole 50,000-image training set's mean and population deviation (ours: --normalise
  auto = channel for CIFAR); training images padded with 4 black pixels, randomly cropped back to
  32x32 and flipped with probability 1/2, before normalisation (ours: --augment crop-flip, the default
  for CIFAR); test images unchanged.
- 5 tasks of classes {0,1}, {2,3}, ... in this order (the official code shuffles the class order with
  sklearn's shuffle(random_state=seed); ours without --shuffle-classes does not, and neither does this).
- Per task the same `--train-per-task` training and `--test-per-task` test images ContinualKit keeps
  for the seed (split_cifar.our_task_rows ports TaskSequence.subsample); the exemplars are therefore
  the same images as ours (first q per class in that subset).
- Each epoch passes over every training image of the task once in a reshuffled order; the last
  partial batch is kept, as ours does (`--drop-last` drops it, as the official loader does).
- ResNet-32 started as ours starts it (`--init ours`: He-normal N(0, 2/fan-in) convolutions, output
  layer N(0, 1/fan-in) with zero bias, BatchNorm weight 1 and bias 0; `--init pytorch` keeps PyTorch's
  defaults).
What cannot match: the random numbers (weights, batch order, augmentation and replay draws come from
torch / numpy seeded with the seed, not from our generator), so no run is replicated exactly.

One run per seed, in turn; each appends one JSON line to `--output`:

    ~/.cache/torchref/bin/python Sources/continual-bench/Reference/ssil_split_cifar.py \
        --data-dir ../shared/data --seeds 1,2,3 --epochs 3 --train-per-task 2000 --test-per-task 1000 \
        --memory 500 --output Docs/results/ssil-parity/pytorch-ssil.jsonl
"""
import argparse
import copy
import hashlib
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convnets import resnet32  # noqa: E402  (ResNet-32 laid out as ours)
# CIFAR-10 and the subsets, as ours reads them
from split_cifar import append_record, crop_flip, init_like_ours, load_cifar10, our_task_rows  # noqa: E402

TASKS, CLASSES_PER_TASK, CLASSES = 5, 2, 10


class Data:
    """The run's images: every task's training subset stacked task after task (the "whole training set"
    the official exemplar loader's length refers to), global labels, and each task's test subset."""

    def __init__(self, cifar, seed, train_per_task, test_per_task):
        x_train, y_train, x_test, y_test, mean, std = cifar
        rows = our_task_rows(y_train, y_test, seed, train_per_task, test_per_task, TASKS, CLASSES_PER_TASK)
        self.train_rows = [r[0] for r in rows]
        self.x = np.concatenate([x_train[r] for r in self.train_rows])
        self.y = np.concatenate([y_train[r] for r in self.train_rows])
        bounds = np.cumsum([0] + [len(r) for r in self.train_rows])
        self.task_rows = [np.arange(bounds[t], bounds[t + 1]) for t in range(TASKS)]
        self.test_rows = [r[1] for r in rows]
        self.test = [(x_test[r], y_test[r]) for r in self.test_rows]
        self.mean = torch.from_numpy(mean).view(1, 3, 1, 1)
        self.std = torch.from_numpy(std).view(1, 3, 1, 1)

    def floats(self, images):
        return (torch.from_numpy(np.ascontiguousarray(images)).float() / 255 - self.mean) / self.std

    def digest(self, rows):
        """SHA-256 of the chosen rows of the CIFAR-10 files, task after task (to compare subsets)."""
        return hashlib.sha256(np.concatenate(rows).astype(np.int64).tobytes()).hexdigest()


def update_memory(memory, data, task, budget):
    """The official update_exemplar on per-class lists of training-set rows (classes 0..9)."""
    end = CLASSES_PER_TASK * (task + 1)
    quota = math.ceil(budget / end)
    for c in range(CLASSES_PER_TASK * task, end):
        rows = data.task_rows[task]
        memory[c] += list(rows[data.y[rows] == c][:quota])
    for c in range(CLASSES_PER_TASK * task):
        del memory[c][quota:]
    remain = sum(len(m) for m in memory) - budget
    if remain > 0:
        for c in np.argsort([len(m) for m in memory])[-remain:]:
            memory[c].pop()
    return [r for m in memory for r in m]


def ssil_loss(output, target, labels, b, t, temperature):
    """SS-IL's two terms for a batch of b current images of task t followed by replayed ones: the separated
    cross-entropy (summed, divided by the whole batch; over the task's classes alone on the first task,
    divided by b) and the task-wise distillation against the frozen model's old-class logits `target`."""
    lo, hi = CLASSES_PER_TASK * t, CLASSES_PER_TASK * (t + 1)
    if t == 0:
        return F.cross_entropy(output[:, lo:hi], labels - lo, reduction="sum") / b, torch.zeros(())
    ce = (F.cross_entropy(output[:b, lo:hi], labels[:b] - lo, reduction="sum")
          + F.cross_entropy(output[b:, :lo], labels[b:], reduction="sum")) / len(labels)
    kd = torch.zeros(())
    for s in range(t):
        group = slice(CLASSES_PER_TASK * s, CLASSES_PER_TASK * (s + 1))
        kd = kd + F.kl_div(F.log_softmax(output[:, group] / temperature, dim=1),
                           F.softmax(target[:, group] / temperature, dim=1), reduction="batchmean") * temperature ** 2
    return ce, kd


def evaluate(model, data, trained_through, batch):
    model.eval()
    accuracies = []
    with torch.no_grad():
        for j, (x, y) in enumerate(data.test):
            seen = CLASSES_PER_TASK * (max(trained_through, j) + 1)
            correct = 0
            for b in range(0, len(y), batch):
                logits = model(data.floats(x[b:b + batch]))[:, :seen]
                correct += int((logits.argmax(1) == torch.from_numpy(y[b:b + batch])).sum())
            accuracies.append(correct / len(y))
    return accuracies


def batches(order, size, drop_last):
    stop = len(order) - (len(order) % size if drop_last else 0)
    return [order[b:b + size] for b in range(0, stop, size)]


def run(seed, data, args):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = resnet32(CLASSES)
    if args.init == "ours":
        init_like_ours(model, "resnet32")
    optimiser = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum,
                                weight_decay=args.weight_decay, nesterov=False)
    memory, exemplars = [[] for _ in range(CLASSES)], []
    matrix, loss_terms, start = [], [], time.perf_counter()
    epochs, milestones = args.epochs, list(args.milestones)
    for t in range(TASKS):
        if t == 1:
            epochs, milestones = epochs // args.factor, [m // args.factor for m in milestones]
        for group in optimiser.param_groups:
            group["lr"] = args.lr / (t + 1)
        teacher = copy.deepcopy(model).eval()  # the model of the previous task, frozen
        for p in teacher.parameters():
            p.requires_grad_(False)
        hi = CLASSES_PER_TASK * (t + 1)
        sums, steps = {"ce": 0.0, "kd": 0.0}, 0
        for epoch in range(epochs):
            if epoch in milestones:
                for group in optimiser.param_groups:
                    group["lr"] *= args.gamma
            model.train()
            rows = data.task_rows[t]
            if args.trainer == "ft" and exemplars:
                rows = np.concatenate([rows, np.array(exemplars)])
            current = batches(rng.permutation(rows), args.batch_size, args.drop_last)
            replay = []
            if args.trainer == "ssil" and t > 0:
                if args.replay_draw == "official":
                    pool = rng.permutation(len(data.y)) % len(exemplars)
                    replay = [np.array(exemplars)[k] for k in batches(pool, args.replay_batch, True)]
                else:
                    replay = [np.array(exemplars)[rng.integers(0, len(exemplars), args.replay_batch)]
                              for _ in current]
            for k, rows_b in enumerate(current):
                joined = np.concatenate([rows_b, replay[k]]) if replay else rows_b
                inputs = data.floats(crop_flip(data.x[joined], rng))
                labels = torch.from_numpy(data.y[joined])
                output = model(inputs)
                b = len(rows_b)  # current images first, then the replayed ones
                if args.trainer == "ft":
                    ce, kd = F.cross_entropy(output[:, :hi], labels), torch.zeros(())
                else:
                    with torch.no_grad():
                        target = teacher(inputs)[:, :CLASSES_PER_TASK * t] if t > 0 else None
                    ce, kd = ssil_loss(output, target, labels, b, t, args.temperature)
                optimiser.zero_grad()
                (ce + kd).backward()
                optimiser.step()
                sums["ce"], sums["kd"], steps = sums["ce"] + ce.item(), sums["kd"] + kd.item(), steps + 1
        loss_terms.append({name: value / max(steps, 1) for name, value in sums.items()})
        exemplars = update_memory(memory, data, t, args.memory)
        matrix.append(evaluate(model, data, t, args.eval_batch))
        print(f"seed {seed} task {t + 1}: " + " ".join(f"{a:.4f}" for a in matrix[-1]), file=sys.stderr, flush=True)
    return matrix, loss_terms, [len(m) for m in memory], time.perf_counter() - start


def check_loss():
    """The hand-computed case of ALGORITHMS.md section 6.5 (old classes {0,1}, new {2,3}, one current and one
    replayed sample, T = 2): CE 0.220095, distillation 0.077046, total 0.297141."""
    output = F.pad(torch.tensor([[1.0, 0.0, 2.0, 0.0], [0.5, 1.5, 3.0, 0.0]]), (0, CLASSES - 4))
    ce, kd = ssil_loss(output, torch.tensor([[0.0, 0.0], [1.0, 1.5]]), torch.tensor([2, 1]), 1, 1, 2.0)
    print(f"CE {ce.item():.6f} (0.220095), TKD {kd.item():.6f} (0.077046), total {(ce + kd).item():.6f} (0.297141)")
    assert abs(ce.item() - 0.220095) < 1e-5 and abs(kd.item() - 0.077046) < 1e-5


def table(paths):
    """Markdown rows from record files (ours' records.jsonl or this script's output; both keep accuracy_matrix):
    per seed and mean +- standard error, ACC, Inc. ACC and R[i][i] (%), and the mean final accuracy per task."""
    print("| run | seed | ACC | Inc. ACC | R[1][1] .. R[5][5] (just after learning) | final per task |")
    print("|---|---|---|---|---|---|")
    for path in paths:
        records = sorted((json.loads(line) for line in open(path) if line.strip()), key=lambda r: r["seed"])
        rows = []
        for r in records:
            m = 100 * np.array(r["accuracy_matrix"])
            inc = np.mean([m[i, :i + 1].mean() for i in range(len(m))])
            rows.append((m[-1].mean(), inc, np.diag(m), m[-1]))
            print(f"| {os.path.basename(path)} | {r['seed']} | {rows[-1][0]:.2f} | {inc:.2f} | "
                  + " ".join(f"{v:.1f}" for v in np.diag(m)) + " | " + " ".join(f"{v:.1f}" for v in m[-1]) + " |")

        def mean_sem(values):
            values = np.array(values)
            sem = values.std(axis=0, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0 * values[0]
            return values.mean(axis=0), sem
        (acc, acc_e), (inc, inc_e) = mean_sem([r[0] for r in rows]), mean_sem([r[1] for r in rows])
        (diag, diag_e), (last, last_e) = mean_sem([r[2] for r in rows]), mean_sem([r[3] for r in rows])
        print(f"| {os.path.basename(path)} | mean ± SEM ({len(rows)}) | **{acc:.2f} ± {acc_e:.2f}** | "
              f"**{inc:.2f} ± {inc_e:.2f}** | " + " ".join(f"{v:.1f} ± {e:.1f}" for v, e in zip(diag, diag_e))
              + " | " + " ".join(f"{v:.1f} ± {e:.1f}" for v, e in zip(last, last_e)) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("CONTINUAL_DATA", "../shared/data"))
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--output", help="JSON lines file to append one record per seed to")
    parser.add_argument("--trainer", choices=["ssil", "ft"], default="ssil")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-per-task", type=int, default=2000, help="0: every training image of the task")
    parser.add_argument("--test-per-task", type=int, default=1000, help="0: every test image of the task")
    parser.add_argument("--memory", type=int, default=500, help="total exemplar budget |M|")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--replay-batch", type=int, default=32)
    parser.add_argument("--replay-draw", choices=["official", "uniform"], default="official")
    parser.add_argument("--drop-last", action="store_true", help="drop each epoch's last partial batch (official)")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--milestones", type=lambda s: [int(v) for v in s.split(",") if v], default=[],
                        help="epochs (from 0) at whose start the learning rate is multiplied by --gamma")
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--factor", type=int, default=1, help="later tasks train epochs // factor epochs")
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument("--init", choices=["ours", "pytorch"], default="ours")
    parser.add_argument("--eval-batch", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--table", nargs="+", metavar="RECORDS", help="print the parity table's rows and stop")
    parser.add_argument("--check", action="store_true", help="check the loss on ALGORITHMS.md's hand-computed case")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        return check_loss()
    if args.table:
        return table(args.table)
    if not args.output:
        parser.error("--output is required")

    cifar = load_cifar10(args.data_dir)
    for seed in [int(s) for s in args.seeds.split(",")]:
        data = Data(cifar, seed, args.train_per_task, args.test_per_task)
        matrix, loss_terms, memory_sizes, seconds = run(seed, data, args)
        last = matrix[-1]
        seen_so_far = [float(np.mean(matrix[i][:i + 1])) for i in range(TASKS)]
        record = {
            "source": "PyTorch reimplementation of SS-IL-Official@8c32381's loop "
                      "(Sources/continual-bench/Reference/ssil_split_cifar.py)",
            "trainer": args.trainer,
            "seed": seed,
            "accuracy_matrix": matrix,
            "final_accuracies": last,
            "accuracies_just_after_learning": [matrix[k][k] for k in range(TASKS)],
            "average_accuracy": float(np.mean(last)),
            "average_incremental_accuracy": float(np.mean(seen_so_far)),
            "learning_accuracy": float(np.mean([matrix[k][k] for k in range(TASKS)])),
            "bwt": float(np.mean([last[k] - matrix[k][k] for k in range(TASKS - 1)])),
            "forgetting": float(np.mean([max(matrix[i][k] for i in range(TASKS - 1)) - last[k]
                                         for k in range(TASKS - 1)])),
            "loss_terms": loss_terms,
            "config": {
                "benchmark": "split-cifar10", "scenario": "class", "tasks": TASKS, "class_order": "0..9",
                "network": "resnet32", "init": args.init, "epochs": args.epochs, "factor": args.factor,
                "train_per_task": args.train_per_task, "test_per_task": args.test_per_task,
                "batch_size": args.batch_size, "replay_batch": args.replay_batch, "replay_draw": args.replay_draw,
                "drop_last": args.drop_last, "memory": args.memory, "optimiser": "sgd", "lr": args.lr,
                "lr_rule": "lr/(t+1)", "momentum": args.momentum, "weight_decay": args.weight_decay,
                "milestones": args.milestones, "gamma": args.gamma, "temperature": args.temperature,
                "augment": "crop-flip", "normalise": "channel",
            },
            "notes": {
                "memory_per_class_after_last_task": memory_sizes,
                "train_subset_sha256": data.digest(data.train_rows),
                "test_subset_sha256": data.digest(data.test_rows),
                "torch": torch.__version__, "python": platform.python_version(), "threads": args.threads,
            },
            "wall_seconds": seconds,
        }
        append_record(args.output, record,
                      f"seed {seed}: ACC {100 * record['average_accuracy']:.2f} %, Inc. ACC "
                      f"{100 * record['average_incremental_accuracy']:.2f} %, {seconds:.0f} s")


if __name__ == "__main__":
    main()
