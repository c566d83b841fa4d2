#!/usr/bin/env python3
"""Runs the DER paper's own code (Mammoth) on Seq-MNIST, for Docs/Reproductions.md.

Buzzega et al. 2020, "Dark Experience for General Continual Learning", evaluate on Seq-MNIST with
Mammoth (github.com/aimagelab/mammoth). This script runs an unmodified checkout of Mammoth's
`neurips2020` tag (the paper's code; `git archive neurips2020 | tar -x -C DIR`) with
`--load_best_args`, i.e. the per-method hyperparameters of the paper's appendix, which live in
Mammoth's `utils/best_args.py`. It does not ship any of Mammoth's code.

Two things are added around Mammoth, neither of which changes what it computes:
- MNIST is read from the gzipped IDX files in `--data-dir` (no download). When torchvision cannot
  be imported (its PyPI wheels need CUDA libraries this machine lacks), a minimal stand-in module
  provides the two things Mammoth's Seq-MNIST uses: `datasets.MNIST` (`data` as a uint8 tensor,
  `targets`, PIL images through the transform) and `transforms.ToTensor` (pixels / 255).
- Mammoth's `utils.training.evaluate` is wrapped to record the accuracy matrices it computes
  (class-IL: all ten outputs; task-IL: the same network with the other tasks' outputs masked).

Six diagnoses, none of them the paper's protocol, each changing one thing towards ContinualKit:
- `--loss seen`: the training cross-entropy (of the current batch, and of replayed labels in ER and
  DER++) over the classes seen so far, as ContinualKit's default class-incremental head takes it,
  instead of over all ten outputs;
- `--init pytorch`: the MLP keeps PyTorch's default `nn.Linear` initialisation (ContinualKit's `mlp`)
  instead of Mammoth's Xavier-uniform weights and zero biases;
- `--draw replacement`: the buffer draws its minibatch with replacement and always of the full size
  (ContinualKit's `ReplayMemory.sample`, which ER uses), instead of without replacement and at most
  the number stored;
- `--icarl-exemplars pixels`: iCaRL's exemplars re-enter the training set as the images they are. Mammoth's
  `ICarl.begin_task` appends the buffer to the task's training data by casting the stored images, which
  hold pixels / 255 in [0, 1], to uint8 without scaling them back, so on Seq-MNIST every exemplar trains
  as an almost black image (pixels 0 or 1/255); this option scales the stored images by 255 for that
  cast only (the class means of the nearest-mean classifier use the stored images as they are);
- `--lwf-warmup off`: LwF starts each task after the first without Mammoth's warm-up (`Lwf.begin_task`
  first trains the classifier's outputs of the new task, features frozen, for `n_epochs` over the task's
  data; ContinualKit's `lwf` has no such phase): the warm-up runs with `n_epochs` set to 0;
- `--icarl-features unit`: iCaRL's herding and nearest-mean classifier see each penultimate feature
  vector scaled to unit length, as the iCaRL paper and ContinualKit's `icarl` compare them, instead of
  raw (`MNISTMLP.features` is wrapped; on Seq-MNIST only iCaRL calls it, training goes through
  `forward`). Mammoth's class means are then means of unit vectors, not scaled to unit length again.

Each run is one process; its record is appended as one JSON line to `--output`:

    python mammoth_seq_mnist.py --mammoth /tmp/mammoth --data-dir ../shared/data \
        --models sgd,er,der,derpp --buffers 200,500 --seeds 1,2,3 --output /tmp/mammoth-seq-mnist.jsonl
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time
import types

import numpy as np

REPLAY_MODELS = {"er", "der", "derpp", "agem", "agem_r", "gem", "icarl", "fdr", "gss", "hal", "mer"}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def install_torchvision_stand_in(data_dir):
    """Registers a minimal `torchvision` when the real one cannot be imported."""
    try:
        import torchvision  # noqa: F401
        return "torchvision " + torchvision.__version__
    except Exception:
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
    import torch
    from PIL import Image

    cache = {}

    def split(train):
        prefix = "train" if train else "t10k"
        if prefix not in cache:
            folder = os.path.join(data_dir, "mnist")
            images = read_idx(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"))
            labels = read_idx(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz")).astype(np.int64)
            cache[prefix] = (images, labels)
        images, labels = cache[prefix]
        return torch.from_numpy(images.copy()), torch.from_numpy(labels.copy())

    class MNIST(torch.utils.data.Dataset):
        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            self.root, self.train = root, train
            self.transform, self.target_transform = transform, target_transform
            self.data, self.targets = split(train)

        def __len__(self):
            return len(self.data)

        def __getitem__(self, index):
            img, target = self.data[index], int(self.targets[index])
            img = Image.fromarray(img.numpy(), mode="L")
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

    class ToTensor:
        def __call__(self, picture):
            array = np.asarray(picture, dtype=np.float32) / 255.0
            return torch.from_numpy(array.copy()).unsqueeze(0)

    class Unsupported:
        """Anything else Mammoth's other datasets name at import time; never called on Seq-MNIST."""

        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, *args, **kwargs):
            raise RuntimeError("this torchvision stand-in supports Seq-MNIST only")

    def anything(name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Unsupported

    def module(name, **members):
        made = types.ModuleType(name)
        made.__dict__.update(members, __getattr__=anything)
        sys.modules[name] = made
        return made

    functional = module("torchvision.transforms.functional")
    transforms = module("torchvision.transforms", ToTensor=ToTensor, functional=functional)
    transforms.transforms = transforms
    sys.modules["torchvision.transforms.transforms"] = transforms
    datasets = module("torchvision.datasets", MNIST=MNIST)
    module("torchvision", datasets=datasets, transforms=transforms)
    return "stand-in (MNIST from IDX, ToTensor)"


def seen_classes_loss(mammoth_main):
    """Makes Seq-MNIST's loss a cross-entropy over the classes seen so far (the diagnosis)."""
    import torch.nn.functional as F
    from datasets.seq_mnist import SequentialMNIST

    made = []
    get_dataset = mammoth_main.get_dataset

    def capturing(arguments):
        made.append(get_dataset(arguments))
        return made[-1]

    def loss(outputs, labels):
        return F.cross_entropy(outputs[:, :made[0].i], labels)  # `i`: classes up to the current task

    mammoth_main.get_dataset = capturing
    SequentialMNIST.get_loss = staticmethod(lambda: loss)


def draw_with_replacement():
    """Makes Mammoth's buffer draw `size` samples with replacement (the diagnosis)."""
    import torch
    from utils.buffer import Buffer

    def get_data(self, size, transform=None):
        stored = min(self.num_seen_examples, self.examples.shape[0])
        choice = np.random.choice(stored, size=size, replace=True)
        transform = transform if transform is not None else (lambda x: x)
        drawn = (torch.stack([transform(ee.cpu()) for ee in self.examples[choice]]).to(self.device),)
        return drawn + tuple(getattr(self, name)[choice] for name in self.attributes[1:] if hasattr(self, name))

    Buffer.get_data = get_data


def icarl_exemplars_as_pixels():
    """Makes iCaRL's exemplars re-enter the training data as 0-255 pixels (the diagnosis)."""
    from models.icarl import ICarl

    begin_task = ICarl.begin_task

    def scaled(self, dataset):
        stored = getattr(self.buffer, "examples", None)
        if stored is not None:
            self.buffer.examples = (stored * 255).round()
        try:
            begin_task(self, dataset)
        finally:
            if stored is not None:
                self.buffer.examples = stored

    ICarl.begin_task = scaled


def lwf_without_warmup():
    """Makes LwF's begin_task skip the classifier warm-up (the diagnosis)."""
    from models.lwf import Lwf

    begin_task = Lwf.begin_task

    def unwarmed(self, dataset):
        epochs, self.args.n_epochs = self.args.n_epochs, 0
        try:
            begin_task(self, dataset)
        finally:
            self.args.n_epochs = epochs

    Lwf.begin_task = unwarmed


def unit_length_features():
    """Makes the MLP's penultimate features unit length where iCaRL reads them (the diagnosis)."""
    import torch.nn.functional as F
    from backbone.MNISTMLP import MNISTMLP

    features = MNISTMLP.features
    MNISTMLP.features = lambda self, x: F.normalize(features(self, x), dim=1)


def run_one(args):
    import torch
    torch.set_num_threads(1)
    vision = install_torchvision_stand_in(args.data_dir)
    os.chdir(args.mammoth)
    sys.path.insert(0, args.mammoth)
    import utils.training as training
    from utils.best_args import best_args
    from utils import main as mammoth_main

    matrices = []
    evaluate = training.evaluate

    def recording(model, dataset, last=False):
        accs = evaluate(model, dataset, last)
        if not last:
            matrices.append((list(accs[0]), list(accs[1])))
        return accs

    training.evaluate = recording
    if args.loss == "seen":
        seen_classes_loss(mammoth_main)
    if args.init == "pytorch":
        from backbone.MNISTMLP import MNISTMLP
        MNISTMLP.reset_parameters = lambda self: None  # the layers keep their nn.Linear defaults
    if args.draw == "replacement":
        draw_with_replacement()
    if args.icarl_exemplars == "pixels":
        icarl_exemplars_as_pixels()
    if args.lwf_warmup == "off":
        lwf_without_warmup()
    if args.icarl_features == "unit":
        unit_length_features()
    argv = ["main.py", "--model", args.model, "--dataset", "seq-mnist", "--load_best_args", "--seed", str(args.seed)]
    buffer = args.buffer if args.model in REPLAY_MODELS else -1
    if buffer > 0:
        argv += ["--buffer_size", str(buffer)]
    sys.argv = argv
    start = time.time()
    mammoth_main.main()
    rows = matrices[-5:]
    record = {
        "model": args.model, "buffer": buffer, "seed": args.seed,
        "best_args": best_args["seq-mnist"][args.model][buffer],
        "class_il_matrix": [row[0] for row in rows], "task_il_matrix": [row[1] for row in rows],
        "class_il": float(np.mean(rows[-1][0])), "task_il": float(np.mean(rows[-1][1])),
        "wall_seconds": round(time.time() - start, 1), "torch": torch.__version__, "torchvision": vision,
        "mammoth": args.revision, "loss": args.loss, "init": args.init, "draw": args.draw,
    }
    if args.icarl_exemplars != "mammoth":
        record["icarl_exemplars"] = args.icarl_exemplars
    if args.lwf_warmup != "on":
        record["lwf_warmup"] = args.lwf_warmup
    if args.icarl_features != "raw":
        record["icarl_features"] = args.icarl_features
    with open(args.output, "a") as f:
        f.write(json.dumps(record) + "\n")


# The diagnosis switches, each changing one thing: its choices, Mammoth's own behaviour first.
DIAGNOSES = {
    "--loss": (["all", "seen"], "cross-entropy over all ten outputs (Mammoth) or the classes seen so far"),
    "--init": (["xavier", "pytorch"], "Mammoth's MLP initialisation or PyTorch's default"),
    "--draw": (["mammoth", "replacement"], "the buffer's draw: Mammoth's, or with replacement at full size"),
    "--icarl-exemplars": (["mammoth", "pixels"], "iCaRL exemplars in training: as Mammoth casts them, or as 0-255 pixels"),
    "--lwf-warmup": (["on", "off"], "LwF's warm-up of the new outputs before each task: Mammoth's, or none"),
    "--icarl-features": (["raw", "unit"], "iCaRL's herding and class means on raw (Mammoth) or unit-length features"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mammoth", required=True, help="a checkout of Mammoth's neurips2020 tag")
    parser.add_argument("--data-dir", required=True, help="folder holding mnist/*-ubyte.gz")
    parser.add_argument("--models", default="sgd,er,der,derpp")
    parser.add_argument("--buffers", default="200,500")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--output", required=True, help="JSON lines, appended")
    parser.add_argument("--revision", default="neurips2020", help="recorded with each run")
    for flag, (choices, meaning) in DIAGNOSES.items():
        parser.add_argument(flag, choices=choices, default=choices[0], help=meaning + " (a diagnosis)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--buffer", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.mammoth, args.data_dir = os.path.abspath(args.mammoth), os.path.abspath(args.data_dir)
    args.output = os.path.abspath(args.output)
    if args.one:
        return run_one(args)
    for model in args.models.split(","):
        buffers = [int(b) for b in args.buffers.split(",")] if model in REPLAY_MODELS else [-1]
        for buffer in buffers:
            for seed in [int(s) for s in args.seeds.split(",")]:
                print(f"mammoth seq-mnist: {model} buffer {buffer} seed {seed}", file=sys.stderr, flush=True)
                subprocess.run([
                    sys.executable, os.path.abspath(__file__), "--one", "--model", model, "--buffer", str(buffer),
                    "--seed", str(seed), "--mammoth", args.mammoth, "--data-dir", args.data_dir,
                    "--output", args.output, "--revision", args.revision, "--loss", args.loss,
                    "--init", args.init, "--draw", args.draw, "--icarl-exemplars", args.icarl_exemplars,
                    "--lwf-warmup", args.lwf_warmup, "--icarl-features", args.icarl_features,
                ], check=True)


if __name__ == "__main__":
    main()
