#!/usr/bin/env python3
"""Plain PyTorch on ContinualKit's permuted-MNIST protocol, for side-by-side memory and speed.

The protocol `continual-bench --only memory` runs on our side: T tasks of permuted MNIST (task 1
unpermuted), a 784-400-400-10 ReLU MLP with one shared head (domain-incremental), Adam lr 1e-3,
batch 128, a fixed number of iterations per task (reshuffled passes, partial batches skipped), and
after each task the test accuracy on every task, evaluated 1,000 images at a time.

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=os.environ.get("CONTINUAL_DATA", "../shared/data"))
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--test-per-task", type=int, default=0, help="test images per task (0 = all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
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

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 400), torch.nn.ReLU(), torch.nn.Linear(400, 400), torch.nn.ReLU(), torch.nn.Linear(400, 10))
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
            optimiser.step()
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
        "workload": f"permuted-mnist {args.tasks} tasks",
        "torch_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "torch_seconds": seconds,
        "torch_average_accuracy": sum(accuracies[-1]) / len(accuracies[-1]),
        "torch_version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
