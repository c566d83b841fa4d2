#!/usr/bin/env python3
"""Loads a model that `continual compare --save-models` kept, in plain PyTorch, and measures its
accuracy on every task of split MNIST, to compare with the run's record.

    continual run --benchmark split-mnist --scenario task --algorithms finetune --test-per-task 0 \
        --save-models --output /tmp/saved
    ~/.cache/torchref/bin/python Sources/continual-bench/Reference/load_saved_model.py \
        /tmp/saved/models/<run id> --data-dir ../shared/data

The network is rebuilt from model.json's `network` ("mlp 784-256-256-10": Flatten, then Linear and
ReLU, so PyTorch's nn.Sequential names match ours: 1.weight, 1.bias, 3.weight, ...). The weights load
with load_state_dict(strict=True): every name and shape must agree. Task t reads its outputs
head.task_outputs[t] = [start, end) and predicts start + argmax over them (task-incremental); the
domain scenario reads [0, classes); the class scenario lets every class seen so far compete.
Pixels are byte / 255, as ContinualKit reads MNIST. Prints the per-task accuracies as JSON.
"""
import argparse, gzip, json, os

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    description = json.load(open(os.path.join(args.folder, "model.json")))
    kind, widths = description["network"].split(" ")
    assert kind == "mlp", "this example rebuilds the MLP; see Docs/SavedModels.md for the others"
    model = mlp([int(w) for w in widths.split("-")])
    model.load_state_dict(load_file(os.path.join(args.folder, "model.safetensors")), strict=True)
    model.eval()

    folder = os.path.join(args.data_dir, "mnist")
    find = lambda stem: next(os.path.join(folder, f) for f in os.listdir(folder) if f.startswith(stem))
    images = torch.tensor(idx(find("t10k-images")), dtype=torch.float32).unsqueeze(1) / 255
    labels = torch.tensor(idx(find("t10k-labels")), dtype=torch.int64)
    head = description["head"]
    accuracies = []
    with torch.no_grad():
        logits = model(images)
        for t, (start, end) in enumerate(head["task_outputs"]):
            classes = list(range(2 * t, 2 * t + 2))  # split MNIST: task t holds digits 2t and 2t + 1
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
