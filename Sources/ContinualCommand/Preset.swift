/// Published protocols as option lists, so a reproduction is one command.
///
/// Each preset's arguments are applied first; flags given after `--preset` override them.
struct Preset {
  var summary: String
  var arguments: [String]

  static let all: [String: Preset] = [
    // van de Ven & Tolias 2019, "Three scenarios for continual learning": split MNIST (ALGORITHMS.md §1.3,
    // §2.2, §7).
    "vdv2019-split-mnist": Preset(
      summary: "van de Ven & Tolias 2019 split MNIST: 784-400-400, Adam 1e-3, batch 128, 2000 iterations/task, "
        + "random digit pairs",
      arguments: [
        "--benchmark", "split-mnist", "--shuffle-classes", "--scenario", "task,domain,class",
        "--algorithms", "finetune,ewc,online-ewc,si,joint", "--seeds", "5", "--hidden", "400,400",
        "--iterations", "2000", "--batch-size", "128", "--optimiser", "adam", "--lr", "0.001",
        "--train-per-task", "0", "--test-per-task", "0",
        // Their Fisher: predicted labels, every training sample, divided by N − 1; SI on the total loss, no clamp.
        "--set", "ewc.labels=predicted", "--set", "ewc.vdv2019=true", "--set", "online-ewc.labels=predicted", "--set",
        "online-ewc.vdv2019=true",
        "--set", "si.gradient=total", "--set", "si.clamp=false", "--set", "si.xi=0.1",
        "--set", "task:ewc.lambda=1e7", "--set", "domain:ewc.lambda=1e6", "--set", "class:ewc.lambda=1e8",
        "--set", "task:online-ewc.lambda=1e8", "--set", "domain:online-ewc.lambda=1e8", "--set",
        "class:online-ewc.lambda=1e9",
        "--set", "task:online-ewc.gamma=0.8", "--set", "domain:online-ewc.gamma=0.7", "--set",
        "class:online-ewc.gamma=0.8",
        "--set", "task:si.c=50", "--set", "domain:si.c=500", "--set", "class:si.c=0.5",
        "--output", "results/vdv2019-split-mnist",
      ]),
    // Ahn et al. 2021 (SS-IL) scaled down to MNIST-sized data: class-incremental split MNIST and split
    // Fashion-MNIST, replay 128 + 32, the official loss and lr/(t+1) (ALGORITHMS.md §6; Docs/SSIL.md).
    // The memory budget is chosen per invocation: --set memory.size=200|500|2000.
    "ssil2021-split": Preset(
      summary: "SS-IL vs ER vs ER+GKD, class-IL split MNIST + Fashion: 784-400-400, Adam 1e-3, batch 128 + replay "
        + "32, 500 it/task",
      arguments: [
        "--benchmark", "split-mnist,split-fashion", "--shuffle-classes", "--scenario", "class",
        "--algorithms", "er,er+gkd,ssil", "--seeds", "3", "--hidden", "400,400",
        "--iterations", "500", "--batch-size", "128", "--optimiser", "adam", "--lr", "0.001",
        "--train-per-task", "3000", "--test-per-task", "0",
        "--set", "memory.batch=32", "--set", "memory.selection=first",
        // The regularisation methods for reference (run with --algorithms finetune,ewc,si,mas).
        "--set", "ewc.lambda=1e8", "--set", "ewc.labels=predicted", "--set", "ewc.vdv2019=true", "--set",
        "ewc.samples=1000",
        "--set", "si.c=0.5", "--set", "si.xi=0.1", "--set", "si.gradient=total", "--set", "si.clamp=false",
        "--set", "mas.lambda=1", "--set", "mas.samples=1000",
        "--output", "results/ssil2021-split",
      ]),
    // Zenke et al. 2017, the official permuted-MNIST notebook (ALGORITHMS.md §2.2, §8 row 6).
    "si-permuted-mnist": Preset(
      summary: "SI's official permuted MNIST: 784-2000-2000-10 shared head, Adam 1e-3, batch 256, 20 epochs/task, "
        + "first task unpermuted",
      arguments: [
        "--benchmark", "permuted-mnist", "--tasks", "10", "--scenario", "domain", "--algorithms", "finetune,si",
        "--seeds", "1",
        "--hidden", "2000,2000", "--epochs", "20", "--batch-size", "256", "--optimiser", "adam", "--lr", "0.001",
        "--train-per-task", "0", "--test-per-task", "0", "--set", "si.c=0.1", "--set", "si.xi=0.1",
        "--output", "results/si-permuted-mnist",
      ]),
    // Zenke et al. 2017, fig_transfer_cifar/train.py (ALGORITHMS.md §2.2, §2.3, §10; Docs/Networks.md).
    // c = 0 is fine-tuning; c = 0.01 is one more run with --set si.c=0.01 --output <another folder>.
    // Inputs are pixels / 255 (--normalise none) and the output layer starts at zero
    // (--zero-output-layer), as theirs.
    "si2017-split-cifar": Preset(
      summary:
        "SI's split CIFAR-10/100: CIFAR-10 then 5×10 CIFAR-100 classes, task-IL, zenke CNN, Adam 1e-3 reset per "
        + "task, batch 256, 60 epochs, c 0.1",
      arguments: [
        "--benchmark", "split-cifar10-100", "--scenario", "task", "--network", "zenke", "--algorithms", "finetune,si",
        "--seeds", "1",
        "--epochs", "60", "--batch-size", "256", "--optimiser", "adam", "--lr", "0.001", "--reset-optimiser",
        "--augment", "none", "--normalise", "none", "--zero-output-layer",
        "--train-per-task", "0", "--test-per-task", "0", "--set", "si.c=0.1", "--set", "si.xi=0.001",
        "--output", "results/si2017-split-cifar",
      ]),
    // Aljundi et al. 2019, the official SLNID demos Demo_MAS.py / Demo_EWC.py (ALGORITHMS.md §4.2, §8 row 9;
    // Docs/SLNID.md).
    "slnid2019-mas": Preset(
      summary: "SLNID's Demo_MAS: 5 permuted MNIST (first unpermuted), 784-64-64-10 shared head, SGD-m 0.9 lr 0.01, "
        + "batch 200, 10 epochs, MAS λ 0.1",
      arguments: slnidDemo + [
        "--algorithms", "mas,l1rep+mas,decov+mas,sni+mas,slni+mas,slnid+mas", "--set", "mas.lambda=0.1",
        "--set", "sni.lambda=1e-3", "--set", "slni.lambda=1e-3", "--set", "slnid.lambda=1e-3",
        "--output", "results/slnid2019-mas",
      ]),
    "slnid2019-ewc": Preset(
      summary: "SLNID's Demo_EWC: as the MAS demo with EWC (official λ 10, i.e. ewc.lambda=20 here, true-label "
        + "Fisher), λ_SSL 2e-3",
      arguments: slnidDemo + [
        "--algorithms", "ewc,l1rep+ewc,decov+ewc,sni+ewc,slni+ewc,slnid+ewc", "--set", "ewc.lambda=20", "--set",
        "ewc.labels=empirical",
        "--set", "sni.lambda=2e-3", "--set", "slni.lambda=2e-3", "--set", "slnid.lambda=2e-3", "--set",
        "slnid.importance=ewc",
        "--output", "results/slnid2019-ewc",
      ]),
    // HNet (von Oswald et al. 2020), ALGORITHMS.md §8 rows 1, 8 and 5; Docs/HNet.md. Each preset runs
    // the task-incremental scenario (CL1: the task id picks the embedding) and the class-incremental
    // one (CL3, HNET+ENT: the embedding with the lowest predictive entropy); training is identical.
    // Rows 1 and 8 are posterior_replay_cl's deterministic runs: no lookahead, the mean cross-entropy
    // times the task's training-set size (loss-scale=samples), other heads' output weights left out
    // of the regulariser and earlier embeddings trained by it (one optimiser for every parameter).
    "hnet-prcl-split-mnist": Preset(
      summary:
        "HNet, PR-CL small split MNIST: target 784-100-100 (2-unit heads), hypernet 10,10,10,10, chunks 8000, β 10, "
        + "Adam 5e-4, batch 32",
      arguments: [
        "--benchmark", "split-mnist", "--scenario", "task,class", "--algorithms", "hnet", "--seeds", "3", "--hidden",
        "100,100",
        "--iterations", "5000", "--batch-size", "32", "--optimiser", "adam", "--lr", "0.0005", "--train-per-task", "0",
        "--test-per-task", "0",
      ] + prclHNet + [
        "--set", "hnet.beta=10", "--set", "hnet.hidden=10,10,10,10", "--set", "hnet.chunk=8000", "--set",
        "hnet.embedding=32",
        "--set", "hnet.chunk-embedding=32", "--output", "results/hnet-prcl-split-mnist",
      ]),
    "hnet-prcl-permuted-mnist": Preset(
      summary:
        "HNet, PR-CL small permuted MNIST-10: target 784-100-100 (10-unit heads), hypernet 100,100, per-task chunk "
        + "embeddings, β 250",
      arguments: [
        "--benchmark", "permuted-mnist", "--tasks", "10", "--scenario", "task,class", "--algorithms", "hnet", "--seeds",
        "3",
        "--hidden", "100,100", "--iterations", "5000", "--batch-size", "128", "--optimiser", "adam", "--lr", "0.0005",
        "--train-per-task", "0", "--test-per-task", "0",
      ] + prclHNet + [
        "--set", "hnet.beta=250", "--set", "hnet.hidden=100,100", "--set", "hnet.chunk=750", "--set",
        "hnet.embedding=32",
        "--set", "hnet.chunk-embedding=16", "--set", "hnet.conditional-chunks=true", "--set", "hnet.clip-norm=1",
        "--output", "results/hnet-prcl-permuted-mnist",
      ]),
    // The paper's own split-MNIST defaults (hypercl mnist/train_args_default.py): the hnet.* defaults.
    "hnet2020-split-mnist": Preset(
      summary: "HNet paper defaults, split MNIST: target 784-400-400 (2-unit heads), hypernet 10,10, chunks 42000, "
        + "embeddings 96, β 0.01, lookahead",
      arguments: [
        "--benchmark", "split-mnist", "--scenario", "task,class", "--algorithms", "hnet", "--seeds", "3", "--hidden",
        "400,400",
        "--iterations", "2000", "--batch-size", "128", "--optimiser", "adam", "--lr", "0.001", "--train-per-task", "0",
        "--test-per-task", "0",
        "--output", "results/hnet2020-split-mnist",
      ]),
    // The paper's CIFAR configuration for the zenke target (hypercl cifar/train_args.py, mode zenke_cifar:
    // chunks 5500, hypernet 100,150,200, embeddings 48/80, Adam 1e-4 with β₁ 0.5, batch 256, 80 epochs,
    // β 0.01), on split CIFAR-10 alone (theirs: CIFAR-10 then 5 CIFAR-100 splits, CL1). Only earlier
    // tasks' own heads are regularised; no augmentation. Docs/HNet.md.
    "hnet2020-split-cifar10": Preset(
      summary: "HNet paper's CIFAR configuration, split CIFAR-10 task-IL, zenke target: hypernet 100,150,200, "
        + "chunks 5500, embeddings 48/80, β 0.01, Adam 1e-4 β₁ 0.5, batch 256",
      arguments: hnetZenkeCIFAR + ["--benchmark", "split-cifar10", "--output", "results/hnet2020-split-cifar10"]),
    // The paper's whole CIFAR protocol for the zenke target: the configuration above on CIFAR-10 then
    // five 10-class splits of CIFAR-100's first 50 classes (6 tasks, hypercl cifar/README.rst:
    // train_zenke.py --use_adam --custom_network_init --disable_data_augmentation --cl_scenario=1).
    "hnet2020-split-cifar": Preset(
      summary: "HNet paper's CIFAR-10/100 protocol (6 tasks, task-IL), zenke target: as hnet2020-split-cifar10 "
        + "on CIFAR-10 then 5×10 CIFAR-100 classes",
      arguments: hnetZenkeCIFAR + [
        "--benchmark", "split-cifar10-100", "--output", "results/hnet2020-split-cifar",
      ]),
    // The paper's ResNet-32 configuration (hypercl cifar/train_args.py, mode resnet_cifar, and
    // cifar/README.rst: train_resnet.py --use_adam --custom_network_init --plateau_lr_scheduler
    // --lambda_lr_scheduler): chunks 7000, a generator with no hidden layer, embeddings 32/32, β 0.05,
    // Adam 1e-3, batch 32, 200 epochs, crop + flip, BatchNorm statistics kept per task, and its
    // LambdaLR schedule (factor 0.1 after epoch 80, 0.01 after 120, 1e-3 after 160, 5e-4 after 180:
    // --lr-steps counts epochs from 0). Its plateau schedule is not implemented (Docs/HNet.md).
    "hnet2020-split-cifar-resnet32": Preset(
      summary: "HNet paper's CIFAR-10/100 protocol (6 tasks, task-IL), ResNet-32 target: generator with no hidden "
        + "layer, chunks 7000, embeddings 32/32, β 0.05, Adam 1e-3 in steps, batch 32, 200 epochs",
      arguments: [
        "--benchmark", "split-cifar10-100", "--scenario", "task", "--network", "resnet32", "--algorithms", "hnet",
        "--seeds", "3", "--epochs", "200", "--batch-size", "32", "--optimiser", "adam", "--lr", "0.001",
        "--lr-steps", "81:0.1,121:0.01,161:0.001,181:0.0005",
        "--augment", "crop-flip", "--train-per-task", "0", "--test-per-task", "0",
        "--set", "hnet.beta=0.05", "--set", "hnet.hidden=", "--set", "hnet.chunk=7000",
        "--set", "hnet.embedding=32", "--set", "hnet.chunk-embedding=32", "--set", "hnet.reg-outputs=own",
        "--output", "results/hnet2020-split-cifar-resnet32",
      ]),
    // Buzzega et al. 2020 (DER), Seq-MNIST as Mammoth's neurips2020 tag runs it (datasets/seq_mnist.py,
    // backbone/MNISTMLP.py, models/utils/continual_model.py): digits 0-1, 2-3, … in order, pixels / 255,
    // 784-100-100-10, plain SGD, batch 10, one epoch, the whole training and test sets, and a class-IL
    // cross-entropy over all ten outputs from the first task on (--class-loss all). The learning
    // rate, replay minibatch and buffer differ per method and buffer (utils/best_args.py, the paper's
    // appendix), so each method is one command with its own --lr and memory.* (Docs/Reproductions.md);
    // the lr here is SGD's (fine-tuning) row.
    "der2020-seq-mnist": Preset(
      summary: "DER paper's Seq-MNIST: 5×2 digits in order, 784-100-100, SGD, batch 10, 1 epoch, reservoir memory; "
        + "per-method lr and replay batch on the command line (Docs/Reproductions.md)",
      arguments: seqMNIST + ["--algorithms", "finetune", "--lr", "0.03", "--output", "results/der2020-seq-mnist"]),
  ]

  /// The HNet paper's configuration for the zenke target, whatever the benchmark (hypercl
  /// `cifar/train_args.py`, mode `zenke_cifar`).
  static let hnetZenkeCIFAR = [
    "--scenario", "task", "--network", "zenke", "--algorithms", "hnet", "--seeds", "3", "--epochs", "80",
    "--batch-size", "256", "--optimiser", "adam", "--lr", "0.0001", "--adam-betas", "0.5,0.999", "--augment", "none",
    "--train-per-task", "0", "--test-per-task", "0", "--set", "hnet.beta=0.01", "--set", "hnet.hidden=100,150,200",
    "--set", "hnet.chunk=5500", "--set", "hnet.embedding=48", "--set", "hnet.chunk-embedding=80",
    "--set", "hnet.reg-outputs=own",
  ]

  /// The DER paper's Seq-MNIST protocol, whatever the method: Mammoth's `seq-mnist` dataset and
  /// `MNISTMLP`, its SGD, batch and epoch, its all-ten-outputs loss and its reservoir buffer.
  static let seqMNIST = [
    "--benchmark", "split-mnist", "--scenario", "class,task", "--seeds", "3", "--hidden", "100,100", "--epochs", "1",
    "--batch-size", "10", "--optimiser", "sgd", "--train-per-task", "0", "--test-per-task", "0",
    "--class-loss", "all", "--set", "memory.selection=reservoir",
  ]

  /// posterior_replay_cl's deterministic HNet (`--regularizer=mse --mean_only`, no lookahead).
  static let prclHNet = [
    "--set", "hnet.lookahead=false", "--set", "hnet.loss-scale=samples", "--set", "hnet.reg-outputs=own",
    "--set", "hnet.previous-embeddings=regularised", "--set", "hnet.activation=relu", "--set", "hnet.embedding-std=1",
    "--set", "hnet.chunk-embedding-std=0.1",
  ]

  /// The protocol both SLNID demos share; a new optimiser per task as the official scripts create one.
  static let slnidDemo = [
    "--benchmark", "permuted-mnist", "--tasks", "5", "--scenario", "domain", "--hidden", "64,64", "--optimiser", "sgd",
    "--momentum", "0.9", "--lr", "0.01", "--batch-size", "200", "--epochs", "10", "--reset-optimiser",
    "--train-per-task", "0", "--test-per-task", "0", "--seeds", "3",
  ]
}

extension Preset {
  /// The preset a name names: a built-in one, else one of the package's in ``Catalog/current``.
  static func named(_ name: String) -> Preset? {
    if let builtIn = all[name] { return builtIn }
    let defined = Catalog.current.presets.first { $0.name == name }
    return defined.map { Preset(summary: $0.summary, arguments: $0.arguments) }
  }

  /// Every preset's name, the built-in ones' and the package's, sorted.
  static var names: [String] { (Array(all.keys) + Catalog.current.presets.map(\.name)).sorted() }
}
