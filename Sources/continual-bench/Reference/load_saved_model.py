#!/usr/bin/env python3
"""Loads a model that `continual compare --save-models` kept, in plain PyTorch, and measures its
accuracy on every task of split MNIST (split CIFAR-10 for zenke and resnet32), to compare with the
run's record.

    continual run --benchmark split-mnist --scenario task --algorithms finetune --test-per-task 0 \
        --save-models --output /tmp/saved
    ~/.cache/torchref/bin/python Sources/continual-bench/Reference/load_saved_model.py \
        /tmp/saved/models/<run id> --data-dir ../shared/data

The network is rebuilt from model.json's `network` ("mlp 784-256-256-10": Flatten, then Linear and
ReLU, so PyTorch's nn.Sequential names match ours: 1.weight, 1.bias, 3.weight, ...; "zenke" and
"resnet32" from convnets.py, whose layers carry our names, measured on split CIFAR-10, whose images
are normalised per channel by the whole training set's mean and deviation, as ours). The weights load
with load_state_dict(strict=True): every name and shape must agree. Task t reads its outputs
head.task_outputs[t] = [start, end) and predicts start + argmax over them (task-incremental); the
domain scenario reads [0, classes); the class scenario lets every class seen so far compete.
MNIST pixels are byte / 255, as ContinualKit reads MNIST. Prints the per-task accuracies as JSON.
"""
import argparse, gzip, json, os

import sys

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convnets  # noqa: E402  (zenke and resnet32, under the names ContinualKit saves)
from split_cifar import load_cifar10  # noqa: E402  (the CIFAR-10 files as ContinualKit reads them)


def mlp(widths):
    layers = [nn.Flatten()]
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def idx(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist_test(data_dir):
    folder = os.path.join(data_dir, "mnist")
    find = lambda stem: next(os.path.join(folder, f) for f in os.listdir(folder) if f.startswith(stem))
    images = torch.tensor(idx(find("t10k-images")), dtype=torch.float32).unsqueeze(1) / 255
    return images, torch.tensor(idx(find("t10k-labels")), dtype=torch.int64)


def cifar10_test(data_dir):
    # Normalised per channel by the whole training set's mean and (population) deviation, as ours.
    x_train, _, x_test, y_test, mean, std = load_cifar10(data_dir)
    images = (torch.from_numpy(x_test.astype(np.float32)) / 255 - torch.tensor(mean).view(1, 3, 1, 1)) \
        / torch.tensor(std).view(1, 3, 1, 1)
    return images, torch.from_numpy(y_test)


def network(description):
    """The PyTorch network of model.json's `network`, and the test set it was trained for."""
    name = description["network"]
    if name.startswith("mlp "):
        return mlp([int(w) for w in name.split(" ")[1].split("-")]), mnist_test
    if name in ("zenke", "resnet32"):
        return (convnets.zenke if name == "zenke" else convnets.resnet32)(description["output_count"]), cifar10_test
    raise SystemExit(f"no PyTorch rebuild of '{name}' here (mlp, zenke and resnet32 have one)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    description = json.load(open(os.path.join(args.folder, "model.json")))
    model, test_set = network(description)
    state = load_file(os.path.join(args.folder, "model.safetensors"))
    for name, value in model.state_dict().items():  # ContinualKit keeps no BatchNorm step count
        if name.endswith("num_batches_tracked"):
            state.setdefault(name, torch.zeros_like(value))
    model.load_state_dict(state, strict=True)
    model.eval()

    images, labels = test_set(args.data_dir)
    head = description["head"]
    accuracies = []
    with torch.no_grad():
        logits = torch.cat([model(images[i:i + 500]) for i in range(0, len(images), 500)])
        for t, (start, end) in enumerate(head["task_outputs"]):
            classes = list(range(2 * t, 2 * t + 2))  # split MNIST / CIFAR-10: task t holds classes 2t and 2t + 1
            mask = (labels == classes[0]) | (labels == classes[1])
            if head["scenario"] == "class":
                seen = head["task_outputs"][-1][1]
                predicted = logits[mask][:, :seen].argmax(1)
            else:
                predicted = start + logits[mask][:, start:end].argmax(1)
            target = labels[mask] - classes[0] + start if head["scenario"] != "domain" else labels[mask] - classes[0]
            accuracies.append((predicted == target).float().mean().item())
    print(json.dumps({"run_id": description["run"]["run_id"], "accuracies": accuracies}))


if __name__ == "__main__":
    main()
