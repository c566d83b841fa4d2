#!/usr/bin/env python3
"""PyTorch training speed for the networks of `continual --network`, as `continual-bench --only convnets` runs them.

    ~/.cache/torchref/bin/python Sources/continual-bench/Reference/convnets.py --json --threads 2

Workloads (random 3x32x32 inputs, 10 classes, cross-entropy, Adam lr 1e-3, forward + backward + step, training mode):
  zenke     SI's CIFAR CNN: conv32 (same) - conv32 (valid) - pool - dropout .25 - conv64 (same) - conv64 (valid) - pool -
            dropout .25 - fc512 - dropout .5 - fc10, batch 128
  resnet32  He et al.'s CIFAR ResNet-32: 3 stages x 5 basic blocks, 16/32/64 channels, BatchNorm, zero-padding
            ("option A") shortcuts, global average pooling, batch 128
Both are written here from their papers' descriptions, to match ContinualKit's `Network` layer by layer.
"""
import argparse, json, time

import torch
from torch import nn
import torch.nn.functional as F


def zenke(classes=10):
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(64 * 6 * 6, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, classes))


class Block(nn.Module):
    """A basic block with an option-A shortcut, without the ReLU after the sum (the next layer). Its
    convolutions and BatchNorms sit in `body`, in the order and under the names ContinualKit's
    `Residual` saves (`<block>.body.0.weight`, ...), so a saved `resnet32` loads with
    load_state_dict."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        out = self.body(x)
        short = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if self.pad > 0:
            short = F.pad(short, (0, 0, 0, 0, 0, self.pad))
        return out + short  # the ReLU after the sum is the next layer of the Sequential, as in ours


def resnet32(classes=10):
    """He et al.'s CIFAR ResNet-32 laid out as ContinualKit's `resnet32`: stem, then each block and
    its ReLU as two layers, then pooling (one parameter-free layer) and the classifier, so that the
    state_dict names are ours (`3.body.0.weight`, ..., `34.weight`)."""
    layers, width = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for stage, cout in enumerate([16, 32, 64]):
        for block in range(5):
            layers += [Block(width, cout, 2 if stage > 0 and block == 0 else 1), nn.ReLU()]
            width = cout
    return nn.Sequential(*layers, nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), nn.Linear(64, classes))


def rate(model, batch, seconds):
    x, y = torch.rand(batch, 3, 32, 32), torch.randint(0, 10, (batch,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    step(); step()
    n, t0 = 0, time.perf_counter()
    while True:
        step(); n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return batch * n / dt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true")
    p.add_argument("--only", help="ignored (for the shared calling convention)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for name, model in [("convnet zenke b128 adam", zenke()), ("convnet resnet32 b128 adam", resnet32())]:
        params = sum(p.numel() for p in model.parameters())
        row = {"workload": name, "torch_samples_per_s": rate(model, 128, a.seconds), "torch_parameters": params}
        print(json.dumps(row) if a.json else row, flush=True)


if __name__ == "__main__":
    main()
