#!/usr/bin/env python3
"""Runs the HNet authors' own library, hypnettorch, on the reduced split CIFAR-10 protocol of
Docs/HNet.md, for the parity table there and in Docs/Reproductions.md (issue #29).

von Oswald, Henning, Sacramento & Grewe (ICLR 2020) published their CIFAR code in `hypercl`
(cifar/train.py, mode `zenke_cifar`); the same authors later packaged the networks, the
hypernetworks and the output regulariser as `hypnettorch` (PyPI). This script builds the target
network, the chunked hypernetwork, the regulariser's targets, the lookahead step and the
regulariser itself with hypnettorch's classes and functions (`mnets.ZenkeNet`,
`hnets.ChunkedHMLP`, `utils.hnet_regularizer.get_current_targets` / `calc_fix_target_reg`,
`utils.optim_step.calc_delta_theta`), and drives them the way hypercl's cifar/train.py does. It
contains no code of either repository.

Protocol (the same as `continual compare --preset hnet2020-split-cifar10 --epochs 5
--train-per-task 2000`, whose records are Docs/results/hnet2020-split-cifar10-reduced/records.jsonl):
- Data: CIFAR-10 from `--data-dir`/cifar-10 in the binary layout (`data_batch_1..5.bin[.gz]`,
  `test_batch.bin[.gz]`), read in file order. Pixels / 255, then normalised per channel by the
  mean and (population) standard deviation of the whole 50,000-image training set, training and
  test alike. No augmentation.
- Tasks: 5 tasks of classes {0,1}, {2,3}, ... in order (no class shuffling), task-incremental:
  task t is read from its own 2 output units (2t, 2t+1) of a 10-unit output layer, the task id
  given at training and test time.
- Training images: 2,000 per task, 1,000 per class, the same 2,000 ContinualKit picks for the
  seed: `TaskSequence.subsample` / `LabelledImages.stratifiedSample` with its xoshiro256**
  generator, ported below (`--subset ours`). `--subset numpy` draws another class-balanced subset
  with numpy instead (a diagnosis). Test images: all 2,000 of the task's classes.
- 5 epochs per task: each epoch every training image once, in an order reshuffled every epoch,
  batches of 256 (the last one of 208); 40 steps per task.
- Target: hypnettorch's `ZenkeNet` (arch `cifar`, 1,250,858 weights: conv32-conv32-pool-conv64-
  conv64-pool-fc512-fc10, dropout 0.25 after each pooling as channel dropout (`Dropout2d`) and 0.5
  after fc512), no weights of its own (`no_weights=True`). Evaluation in eval mode (no dropout).
- Hypernetwork: hypnettorch's `ChunkedHMLP`: chunks of 5,500 weights (228 chunks), hidden layers
  100,150,200 (ReLU), task embedding 48 (one per task), chunk embedding 80 (shared by all tasks);
  1,182,230 parameters. Its own initialisation (`--init hypnettorch`, the default): the
  constructor's, PyTorch's default `U(±1/√fan-in)` weights and biases, embeddings N(0, 1).
- Optimisation, as hypercl's cifar/train.py: per task a fresh Adam (lr 1e-4, betas 0.5, 0.999) for
  the shared hypernetwork parameters (generator and chunk embeddings) and another for the current
  task's embedding; each step the mean cross-entropy over the task's 2 units is backpropagated, the
  embedding's optimiser steps, then (from the second task on) the regulariser
  beta * calc_fix_target_reg(...) with beta 0.01 is backpropagated and the shared optimiser steps.
  The regulariser compares, for every earlier task, the weights generated at Theta + dTheta
  (dTheta: the Adam step the task loss alone would take, `calc_delta_theta`, detached; the
  lookahead) with targets computed once when the task starts (`get_current_targets`), leaving out
  other tasks' output units (`inds_of_out_heads`: only earlier tasks' own heads are regularised).
  Earlier tasks' embeddings are not trained.
- Evaluation after each task on every task's test set (a 5 x 5 accuracy matrix, row i after task
  i); the mean task-IL accuracy is the mean of the last row.

Differences from ContinualKit's run (by design, the point of the comparison):
- Initialisation: ours is hypercl's (Xavier-uniform generator weights, zero biases, embeddings
  N(0, 1)); hypnettorch's constructor uses PyTorch's default. `--init hypercl` uses ours here.
- Dropout: hypnettorch's ZenkeNet drops whole channels after the convolutions (`Dropout2d`), ours
  drops elements. `--dropout element` uses element dropout here.
- Random numbers: weights, embeddings, dropout masks and batch order come from torch / numpy
  seeded with the seed, not from ContinualKit's generator, so no run is replicated exactly; only
  the training subset is shared.
Other one-change diagnoses: `--subset numpy` (above); `--targets online` recomputes the targets
every step from a stored copy of the hypernetwork (hypercl's `--online_target_computation`; the
same values, as the targets do not change within a task).
What these differences do (seeds 1-6, and one-change runs of `--init hypercl` and `--dropout element`,
seeds 1-3): Docs/HNet.md, "Parity with hypnettorch"; records in
Docs/results/hnet2020-split-cifar10-reduced/ (hypnettorch.jsonl, hypnettorch-seeds4-6.jsonl,
diagnosis/).

Install and run (CPU torch is in ~/.cache/torchref; hypnettorch 0.0.4 needs matplotlib at import
time, not torchvision, for the modules used here):

    ~/.cache/torchref/bin/python -m venv /tmp/hnet-venv
    echo ~/.cache/torchref/lib/python3.11/site-packages > /tmp/hnet-venv/lib/python3.11/site-packages/torchref.pth
    /tmp/hnet-venv/bin/pip install --no-deps hypnettorch==0.0.4 && /tmp/hnet-venv/bin/pip install matplotlib
    /tmp/hnet-venv/bin/python Sources/continual-bench/Reference/hnet_split_cifar.py --data-dir ../shared/data \
        --seeds 1,2,3 --output Docs/results/hnet2020-split-cifar10-reduced/hypnettorch.jsonl

One run per seed, in turn; each appends one JSON line to `--output` (a few minutes per seed on 2
cores).
"""
import argparse
import hashlib
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

warnings.filterwarnings("ignore", category=UserWarning)  # hypnettorch's deprecated add_ overloads
warnings.filterwarnings("ignore", category=DeprecationWarning)

# CIFAR-10 and the training subset, as ours reads them
from split_cifar import append_record, load_cifar10, our_task_rows  # noqa: E402
from hypnettorch.hnets import ChunkedHMLP  # noqa: E402
from hypnettorch.mnets import ZenkeNet  # noqa: E402
from hypnettorch.utils import hnet_regularizer as hreg  # noqa: E402
from hypnettorch.utils import optim_step as opstep  # noqa: E402

TASKS, CLASSES_PER_TASK = 5, 2


def make_tasks(data, seed, train_per_task, subset):
    """Per task: (train images, local labels, train positions in the training set), (test images, labels)."""
    x_train, y_train, x_test, y_test = data
    np_rng = np.random.default_rng(seed)
    tasks = []
    for t, (train_rows, test_rows) in enumerate(
            our_task_rows(y_train, y_test, seed, train_per_task, 0, TASKS, CLASSES_PER_TASK)):
        classes = list(range(CLASSES_PER_TASK * t, CLASSES_PER_TASK * (t + 1)))
        if subset == "numpy" and train_per_task > 0:
            train_rows = np.flatnonzero(np.isin(y_train, classes))
            local = y_train[train_rows] - classes[0]
            per_class = train_per_task // CLASSES_PER_TASK
            train_rows = train_rows[np.sort(np.concatenate(
                [np_rng.permutation(np.flatnonzero(local == c))[:per_class] for c in range(CLASSES_PER_TASK)]))]
        tasks.append(((x_train[train_rows], y_train[train_rows] - classes[0], train_rows),
                      (x_test[test_rows], y_test[test_rows] - classes[0])))
    return tasks


def to_input(images, mean, std):
    """Normalised floats in the NHWC layout ZenkeNet's forward expects (it permutes back to NCHW)."""
    x = (torch.from_numpy(np.ascontiguousarray(images)).float() / 255 - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
    return x.permute(0, 2, 3, 1).contiguous()


def evaluate(mnet, hnet, tasks, mean, std):
    mnet.eval()
    hnet.eval()
    accuracies = []
    with torch.no_grad():
        for t, (_, (x, y)) in enumerate(tasks):
            weights = hnet.forward(cond_id=t)
            correct = 0
            for start in range(0, len(y), 1000):
                logits = mnet.forward(to_input(x[start:start + 1000], mean, std), weights=weights)
                head = logits[:, CLASSES_PER_TASK * t:CLASSES_PER_TASK * (t + 1)]
                correct += int((head.argmax(1) == torch.from_numpy(y[start:start + 1000])).sum())
            accuracies.append(correct / len(y))
    mnet.train()
    hnet.train()
    return accuracies


def hypercl_init(hnet):
    """hypercl's cifar/train_utils.py init_network_weights (ContinualKit's): Xavier-uniform weights, zero
    biases, chunk and task embeddings N(0, 1)."""
    for w in hnet.layer_weight_tensors:
        nn.init.xavier_uniform_(w)
    for b in hnet.layer_bias_vectors:
        nn.init.zeros_(b)
    for e in list(hnet.conditional_params) + [hnet.get_chunk_emb()]:
        nn.init.normal_(e, mean=0.0, std=1.0)


def run(seed, tasks, mean, std, args):
    torch.manual_seed(seed)
    np_rng = np.random.default_rng(seed)
    mnet = ZenkeNet(in_shape=(32, 32, 3), num_classes=TASKS * CLASSES_PER_TASK, arch="cifar", no_weights=True,
                    dropout_rate=0.25, verbose=False)
    if args.dropout == "element":
        mnet._drop_conv = nn.Dropout(p=0.25)
    hnet = ChunkedHMLP(mnet.param_shapes, chunk_size=args.chunk, chunk_emb_size=args.chunk_embedding,
                       cond_in_size=args.embedding, layers=args.hidden, num_cond_embs=TASKS, verbose=False)
    if args.init == "hypercl":
        hypercl_init(hnet)
    matrix, loss_terms, start = [], [], time.perf_counter()
    for t, ((x, y, _), _) in enumerate(tasks):
        regularised = t > 0 and args.beta > 0
        targets = prev_theta = prev_embeddings = heads = None
        if regularised:
            if args.targets == "snapshot":
                targets = hreg.get_current_targets(t, hnet)
            else:
                prev_theta = [p.detach().clone() for p in hnet.unconditional_params]
                prev_embeddings = [p.detach().clone() for p in hnet.conditional_params]
            heads = [list(range(CLASSES_PER_TASK * i, CLASSES_PER_TASK * (i + 1))) for i in range(t)]
        betas = (args.adam_beta1, 0.999)
        theta_optimizer = torch.optim.Adam(hnet.unconditional_params, lr=args.lr, betas=betas)
        embedding_optimizer = torch.optim.Adam([hnet.conditional_params[t]], lr=args.lr, betas=betas)
        task_sum = penalty_sum = steps = 0
        for _ in range(args.epochs):
            order = np_rng.permutation(len(y))
            for b in range(0, len(y), args.batch_size):
                rows = order[b:b + args.batch_size]
                inputs, labels = to_input(x[rows], mean, std), torch.from_numpy(y[rows])
                theta_optimizer.zero_grad()
                embedding_optimizer.zero_grad()
                weights = hnet.forward(cond_id=t)
                logits = mnet.forward(inputs, weights=weights)[:, CLASSES_PER_TASK * t:CLASSES_PER_TASK * (t + 1)]
                task_loss = F.cross_entropy(logits, labels)
                task_loss.backward()
                embedding_optimizer.step()
                penalty = torch.zeros(())
                if regularised:
                    d_theta = opstep.calc_delta_theta(theta_optimizer, False, lr=args.lr, detach_dt=True) \
                        if args.lookahead else None
                    penalty = hreg.calc_fix_target_reg(
                        hnet, t, targets=targets, dTheta=d_theta, mnet=mnet, inds_of_out_heads=heads,
                        prev_theta=prev_theta, prev_task_embs=prev_embeddings) * args.beta
                    penalty.backward()
                theta_optimizer.step()
                task_sum, penalty_sum, steps = task_sum + float(task_loss), penalty_sum + float(penalty), steps + 1
        loss_terms.append({"task": task_sum / steps, "hnet": penalty_sum / steps})
        matrix.append(evaluate(mnet, hnet, tasks, mean, std))
        print(f"seed {seed} task {t + 1}: " + " ".join(f"{a:.4f}" for a in matrix[-1]), file=sys.stderr, flush=True)
    return mnet, hnet, matrix, loss_terms, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("CONTINUAL_DATA", "../shared/data"))
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--output", required=True, help="JSON lines file to append one record per seed to")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-per-task", type=int, default=2000, help="0: every training image of the task")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--adam-beta1", type=float, default=0.5)
    parser.add_argument("--beta", type=float, default=0.01)
    parser.add_argument("--chunk", type=int, default=5500)
    parser.add_argument("--chunk-embedding", type=int, default=80)
    parser.add_argument("--embedding", type=int, default=48)
    parser.add_argument("--hidden", type=lambda s: [int(v) for v in s.split(",")], default=[100, 150, 200])
    parser.add_argument("--no-lookahead", dest="lookahead", action="store_false")
    parser.add_argument("--init", choices=["hypnettorch", "hypercl"], default="hypnettorch")
    parser.add_argument("--dropout", choices=["channel", "element"], default="channel")
    parser.add_argument("--subset", choices=["ours", "numpy"], default="ours")
    parser.add_argument("--targets", choices=["snapshot", "online"], default="snapshot")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    x_train, y_train, x_test, y_test, mean, std = load_cifar10(args.data_dir)
    mean_t, std_t = torch.from_numpy(mean), torch.from_numpy(std)
    import hypnettorch
    for seed in [int(s) for s in args.seeds.split(",")]:
        tasks = make_tasks((x_train, y_train, x_test, y_test), seed, args.train_per_task, args.subset)
        subset_digest = hashlib.sha256(np.concatenate([task[0][2] for task in tasks]).astype(np.int64).tobytes())
        mnet, hnet, matrix, loss_terms, seconds = run(seed, tasks, mean_t, std_t, args)
        last = matrix[-1]
        learning = [matrix[k][k] for k in range(TASKS)]
        drops = [max(matrix[i][k] for i in range(k, TASKS - 1)) - last[k] for k in range(TASKS - 1)]
        record = {
            "source": "hypnettorch " + getattr(hypnettorch, "__version__", "0.0.4")
                      + " (Sources/continual-bench/Reference/hnet_split_cifar.py)",
            "seed": seed,
            "accuracy_matrix": matrix,
            "final_accuracies": last,
            "accuracies_just_after_learning": learning,
            "average_accuracy": float(np.mean(last)),
            "learning_accuracy": float(np.mean(learning)),
            "forgetting": float(np.mean(drops)),
            "bwt": float(np.mean([last[k] - matrix[k][k] for k in range(TASKS - 1)])),
            "loss_terms": loss_terms,
            "config": {
                "benchmark": "split-cifar10", "scenario": "task", "tasks": TASKS, "epochs": args.epochs,
                "train_per_task": args.train_per_task, "test_per_task": "all", "batch_size": args.batch_size,
                "lr": args.lr, "adam_betas": [args.adam_beta1, 0.999], "beta": args.beta, "chunk": args.chunk,
                "chunk_embedding": args.chunk_embedding, "embedding": args.embedding, "hidden": args.hidden,
                "lookahead": args.lookahead, "reg_outputs": "own", "targets": args.targets, "init": args.init,
                "dropout": args.dropout, "subset": args.subset, "augment": "none",
            },
            "notes": {
                "target_parameters": mnet.num_params, "hypernetwork_parameters": hnet.num_params,
                "chunks": hnet.num_chunks,
                "normalisation": {"mean": [round(float(v), 4) for v in mean], "std": [round(float(v), 4) for v in std]},
                "train_subset_sha256": subset_digest.hexdigest(),
                "torch": torch.__version__, "python": platform.python_version(), "threads": args.threads,
            },
            "wall_seconds": seconds,
        }
        append_record(args.output, record,
                      f"seed {seed}: mean task-IL {100 * record['average_accuracy']:.2f} %, {seconds:.0f} s")


if __name__ == "__main__":
    main()
