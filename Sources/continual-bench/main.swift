// continual-bench: the engine's speed, measured in one run and printed as JSON lines.
//
//   swift run -c release continual-bench                 # every workload
//   swift run -c release continual-bench --only gemm     # gemm | mlp | cnn | convnets | importance | slnid | hnet |
// checkpoint | memory | cifar | sweep
//   swift run -c release continual-bench --only convnets --reference ~/.cache/torchref/bin/python   # zenke and
// resnet32 vs PyTorch
//   swift run -c release continual-bench --only memory --reference ~/.cache/torchref/bin/python   # peak RSS, ours and
// PyTorch's
//   swift run -c release continual-bench --only cifar --quick --reference ~/.cache/torchref/bin/python   # split
// CIFAR-10 end to end (issue 30), whole processes, ours and PyTorch's; without --quick it takes hours
//   swift run -c release continual-bench --only sweep --reference ~/.cache/torchref/bin/python   # a 4-run
// permuted-MNIST sweep with --jobs 1 and 2, and the default comparison, against PyTorch one process per run
//   swift run -c release continual-bench --reference ~/.cache/torchref/bin/python
//
// Workload names match ../shared/bench/torch_reference.py. With --reference, the PyTorch/numpy
// reference runs right after ours in the same sitting and each line gains the reference figure and the
// ratio ours / reference.
import ContinualCore
import ContinualEngine
import Foundation
import SLNID

struct Options {
  var only: String?
  var seconds = 3.0
  /// `--rounds N`: with `--only convnets --reference`, N rounds of ours then PyTorch, so both sides
  /// see the same spells of load; each round's ratios are printed, then their medians.
  var rounds = 1
  var reference: String?
  var referenceScript = "../shared/bench/torch_reference.py"
  /// The protocol of `--only cifar`.
  var cifar = CIFARProtocol()
  /// The protocol of `--only sweep`.
  var sweep = SweepProtocol()
  /// The workloads `--only` accepts.
  static let workloads = [
    "gemm", "mlp", "cnn", "convnets", "importance", "slnid", "hnet", "checkpoint", "memory", "cifar", "sweep",
  ]

  init(_ arguments: [String]) throws {
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
      func value() throws -> String {
        guard let v = iterator.next() else { throw BenchError.usage("\(argument) needs a value") }
        return v
      }
      switch argument {
      case "--only":
        only = try value()
        guard Self.workloads.contains(only!) else {
          throw BenchError.usage("--only takes \(Self.workloads.joined(separator: ", ")), not '\(only!)'")
        }
      case "--seconds":
        guard let s = Double(try value()), s > 0 else { throw BenchError.usage("--seconds takes a positive number") }
        seconds = s
      case "--rounds":
        guard let r = Int(try value()), r > 0 else { throw BenchError.usage("--rounds takes a positive whole number") }
        rounds = r
      case "--quick":
        let quick = CIFARProtocol.quick
        (cifar.epochs, cifar.trainPerTask, cifar.testPerTask) = (quick.epochs, quick.trainPerTask, quick.testPerTask)
        sweep = .quick
      case "--epochs":
        guard let e = Int(try value()), e > 0 else { throw BenchError.usage("--epochs takes a positive whole number") }
        cifar.epochs = e
      case "--train-per-task":
        guard let n = Int(try value()), n > 0 else {
          throw BenchError.usage("--train-per-task takes a positive whole number")
        }
        cifar.trainPerTask = n
      case "--test-per-task":
        guard let n = Int(try value()), n > 0 else {
          throw BenchError.usage("--test-per-task takes a positive whole number")
        }
        cifar.testPerTask = n
      case "--networks": cifar.networks = try value().split(separator: ",").map(String.init)
      case "--algorithms": cifar.algorithms = try value().split(separator: ",").map(String.init)
      case "--reference": reference = try value()
      case "--reference-script": referenceScript = try value()
      case "-h", "--help":
        print(
          "usage: continual-bench [--only \(Self.workloads.joined(separator: "|"))] "
            + "[--seconds S] [--reference PYTHON] [--reference-script PATH]\n"
            + "  --only convnets: [--rounds N] "
            + "(with --reference: N rounds of ours then PyTorch, and the median ratios)\n"
            + "  --only cifar: [--quick] [--epochs N] [--train-per-task N] [--test-per-task N] "
            + "[--networks zenke,resnet32] "
            + "[--algorithms finetune,ewc,er]\n"
            + "  (split CIFAR-10 end to end, whole processes; --quick = --epochs 1 --train-per-task 1000 "
            + "--test-per-task 500)\n"
            + "  --only sweep: [--quick] (permuted MNIST, finetune/ewc/si/mas, --jobs 1 and 2 against PyTorch; "
            + "--quick = 200 iterations per task)"
        )
        exit(0)
      default: throw BenchError.usage("unknown option '\(argument)'")
      }
    }
  }
}

enum BenchError: Error, CustomStringConvertible {
  case usage(String)
  case reference(String)
  var description: String {
    switch self {
    case .usage(let m): "continual-bench: \(m) (see --help)"
    case .reference(let m): "continual-bench: reference run failed: \(m)"
    }
  }
}

/// Seconds per call of `body`, after two warm-up calls, timed for at least `seconds`.
func timePerCall(seconds: Double, _ body: () throws -> Void) rethrows -> Double {
  try body()
  try body()
  var calls = 0
  let start = DispatchTime.now().uptimeNanoseconds
  while true {
    try body()
    calls += 1
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if elapsed >= seconds { return elapsed / Double(calls) }
  }
}

func gemmWorkloads(_ seconds: Double) throws -> [[String: Any]] {
  var rng = SeededGenerator(seed: 1)
  return try [(512, 512, 512), (1024, 1024, 1024), (128, 784, 400), (128, 400, 400)].map { m, k, n in
    let a = Tensor.randomUniform([m, k], using: &rng), b = Tensor.randomUniform([k, n], using: &rng)
    let t = try timePerCall(seconds: seconds) { _ = try a.matmul(b) }
    return ["workload": "gemm \(m)x\(k)x\(n)", "gflops": 2.0 * Double(m * k * n) / t / 1e9]
  }
}

/// Samples per second of forward + backward + Adam step.
func trainingRate(_ architecture: Sequential, input: [Int], batch: Int, seconds: Double) throws -> Double {
  var rng = SeededGenerator(seed: 0)
  var model = Model(architecture, rng: &rng)
  let x = Tensor.randomUniform([batch] + input, using: &rng)
  let labels = (0..<batch).map { _ in rng.nextInt(below: 10) }
  var adam = Adam(learningRate: 1e-3)
  /// Forward and backward, and the model state after the pass (BatchNorm's running statistics).
  func step(_ model: Model) throws -> (NamedTensors, NamedTensors) {
    let tape = Tape()
    let pass = try model.forward(tape.constant(x), on: tape, training: true, rng: rng)
    return (try pass.gradients(of: crossEntropy(logits: pass.output, labels: labels)), pass.state)
  }
  let t = try timePerCall(seconds: seconds) {
    let (gradients, state) = try step(model)
    model.state = state
    try adam.update(&model.parameters, along: gradients)
  }
  return Double(batch) / t
}

func mlpWorkload(_ seconds: Double) throws -> [[String: Any]] {
  let mlp = Sequential([Linear(784, 400), ReLU(), Linear(400, 400), ReLU(), Linear(400, 10)])
  return [
    [
      "workload": "mlp 784-400-400-10 b128 adam",
      "samples_per_s": try trainingRate(mlp, input: [784], batch: 128, seconds: seconds),
    ]
  ]
}

func cnnWorkload(_ seconds: Double) throws -> [[String: Any]] {
  let cnn = Sequential([
    Conv2d(3, 32, kernelSize: 3, padding: 1), ReLU(), Conv2d(32, 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
    Conv2d(32, 64, kernelSize: 3, padding: 1), ReLU(), Conv2d(64, 64, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
    Flatten(), Linear(64 * 8 * 8, 512), ReLU(), Linear(512, 10),
  ])
  return [
    [
      "workload": "cnn c32-c32-p-c64-c64-p-fc512-fc10 b64 adam",
      "samples_per_s": try trainingRate(cnn, input: [3, 32, 32], batch: 64, seconds: seconds),
    ]
  ]
}

/// The networks of `continual --network` at split-CIFAR shapes (3×32×32, 10 outputs, batch 128),
/// in training mode (dropout, BatchNorm batch statistics), as `Reference/convnets.py` runs them in
/// PyTorch.
func convnetWorkloads(_ seconds: Double) throws -> [[String: Any]] {
  try ["zenke", "resnet32"].map { name in
    let network = try ContinualCore.Network.named(name).architecture(input: [3, 32, 32], outputs: 10)
    return [
      "workload": "convnet \(name) b128 adam",
      "samples_per_s": try trainingRate(network, input: [3, 32, 32], batch: 128, seconds: seconds),
      "parameters": network.parameterSpecs.reduce(0) { $0 + $1.shape.reduce(1, *) },
    ]
  }
}

/// `--only convnets --reference P --rounds N`: N rounds, each ours (the first round's rows are
/// `first`) then `Reference/convnets.py`, printing every round's ratios, then one row per network
/// with the median ratio and the range.
func convnetRounds(_ options: Options, python: String, first: [[String: Any]]) throws {
  var ratios: [String: [Double]] = [:]
  for round in 1...options.rounds {
    let ours = round == 1 ? first : try convnetWorkloads(options.seconds)
    let reference = try referenceFigures(
      python: python, script: referenceScript("convnets.py"), only: nil, seconds: options.seconds)
    for var row in ours {
      let name = row["workload"] as! String
      guard let mine = row["samples_per_s"] as? Double, let torch = reference[name]?["torch_samples_per_s"] as? Double
      else { continue }
      row["round"] = round
      row["torch_samples_per_s"] = torch
      row["ratio_vs_torch"] = mine / torch
      ratios[name, default: []].append(mine / torch)
      printJSON(row)
    }
  }
  for (name, values) in ratios.sorted(by: { $0.key < $1.key }) {
    let sorted = values.sorted()
    printJSON([
      "workload": name, "rounds": sorted.count, "median_ratio_vs_torch": sorted[sorted.count / 2],
      "min_ratio_vs_torch": sorted.first!, "max_ratio_vs_torch": sorted.last!,
    ])
  }
}

/// The cost of SLNID's representation penalty: seconds per SGD step (forward, backward, update) of
/// an MLP with and without `λ Σ_layers Σ_{i≠j} w_ij |(AᵀA/M)_ij|` on both hidden ReLU outputs.
///
/// The penalty is built from the same engine operations as `RepresentationSparsity.inhibition` in
/// the SLNID target (this executable depends on the engine only): one `AᵀA` product, a product with
/// the constant weight matrix (Gaussian, σ = N/6, times a min-form importance discount, zero
/// diagonal; built once, outside the timed loop), `|·|` and a sum.
func slnidOverheadWorkload(_ seconds: Double) throws -> [[String: Any]] {
  try [([784, 400, 400, 10], 128), ([784, 64, 64, 10], 200)].map { widths, batch in
    let architecture = Sequential([
      Linear(widths[0], widths[1]), ReLU(), Linear(widths[1], widths[2]), ReLU(), Linear(widths[2], widths[3]),
    ])
    var rng = SeededGenerator(seed: 0)
    let x = Tensor.randomUniform([batch, widths[0]], in: 0...1, using: &rng)
    let labels = (0..<batch).map { _ in rng.nextInt(below: 10) }
    let weights = [1, 2].map { k -> Tensor in
      let n = widths[k]
      let sigma = Float(n) / 6
      let discount = (0..<n).map { _ in Foundation.exp(-2 * rng.nextUniform()) }
      return Tensor(shape: [n, n]) { w in
        for i in 0..<n {
          for j in 0..<n {
            let d = Float(i - j)
            w[i * n + j] =
              i == j ? 0 : Foundation.exp(-d * d / (2 * sigma * sigma)) * Swift.min(discount[i], discount[j])
          }
        }
      }
    }
    /// `penalty`: none, `gram` (the literal `Σ W ⊙ |AᵀA| / M`), `product` (`Σ A ⊙ (A·W) / M`, equal
    /// for non-negative activations, one product fewer in the backward pass) or `target` (what the
    /// SLNID target computes, `RepresentationSparsity.inhibition`).
    func time(penalty: String) throws -> Double {
      var generator = SeededGenerator(seed: 1)
      var model = Model(architecture, rng: &generator)
      var sgd = SGD(learningRate: 0.01, momentum: 0.9)
      func gradients(_ model: Model) throws -> NamedTensors {
        let tape = Tape()
        let pass = try model.forward(tape.constant(x), on: tape, training: true)
        var loss = try crossEntropy(logits: pass.output, labels: labels)
        for (k, w) in zip([1, 3], weights) where penalty != "none" {
          let a = pass.trace.activations[k]
          let r: Variable
          switch penalty {
          case "gram": r = try (a.matmul(a, transposingSelf: true) * tape.constant(w)).abs().sum() * (1 / Float(batch))
          case "product": r = try (a * a.matmul(tape.constant(w))).sum() * (1 / Float(batch))
          default: r = try RepresentationSparsity.inhibition(a, weights: w)
          }
          loss = try loss + r * 1e-3
        }
        return try pass.gradients(of: loss)
      }
      return try timePerCall(seconds: seconds) { try sgd.update(&model.parameters, along: try gradients(model)) }
    }
    let plain = try time(penalty: "none"), target = try time(penalty: "target")
    let gram = try time(penalty: "gram"), product = try time(penalty: "product")
    return [
      "workload": "slnid overhead mlp \(widths.map(String.init).joined(separator: "-")) b\(batch) sgd",
      "ms_per_step_plain": plain * 1e3, "ms_per_step_slnid": target * 1e3, "ratio": target / plain,
      "ms_per_step_gram_form": gram * 1e3, "ratio_gram_form": gram / plain,
      "ms_per_step_product_form": product * 1e3, "ratio_product_form": product / plain,
    ]
  }
}

/// Runs the PyTorch/numpy reference script and returns its JSON lines by workload.
func referenceFigures(python: String, script: String, only: String?, seconds: Double) throws -> [String: [String: Any]]
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: python)
  process.arguments =
    [script, "--json", "--seconds", String(seconds), "--threads", String(EngineThreads.count)]
    + (only.map { ["--only", $0] } ?? [])
  let pipe = Pipe()
  process.standardOutput = pipe
  do { try process.run() } catch { throw BenchError.reference("cannot start \(python): \(error.localizedDescription)") }
  let output = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw BenchError.reference("\(python) \(script) exited with status \(process.terminationStatus)")
  }
  var rows: [String: [String: Any]] = [:]
  for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
    if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      let name = object["workload"] as? String
    {
      rows[name] = object
    }
  }
  return rows
}

/// The path of a plain-PyTorch reference script of this benchmark (`Reference/<name>`).
func referenceScript(_ name: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/\(name)").path
}

func printJSON(_ object: [String: Any]) {
  let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  FileHandle.standardOutput.write(data + Data("\n".utf8))
}

do {
  let options = try Options(Array(CommandLine.arguments.dropFirst()))
  var rows: [[String: Any]] = []
  let context: [String: Any] = ["threads": EngineThreads.count, "gemm_kernel": gemmKernelName]
  printJSON(["workload": "engine", "threads": context["threads"]!, "gemm_kernel": context["gemm_kernel"]!])
  let workloads = [
    ("gemm", gemmWorkloads), ("mlp", mlpWorkload), ("cnn", cnnWorkload), ("convnets", convnetWorkloads),
    ("importance", importanceWorkload),
    ("slnid", slnidOverheadWorkload),
    ("hnet", hnetWorkload),
    ("checkpoint", checkpointWorkload),
  ]
  for (name, run) in workloads where options.only == nil || options.only == name {
    for row in try run(options.seconds) {
      if options.reference == nil { printJSON(row) }
      rows.append(row)
    }
  }
  if options.only == "memory" {
    // Peak memory runs whole protocols in child processes (minutes, and the datasets), so only on request.
    let script = referenceScript("permuted_mnist.py")
    for row in try memoryWorkload(reference: options.reference, script: script) { printJSON(row) }
    exit(0)
  }
  if options.only == "cifar" {
    // Whole split-CIFAR-10 runs in child processes, ours and PyTorch's: hours, so only on request.
    let rows = try cifarWorkload(options.cifar, reference: options.reference)
    print(cifarTable(rows))
    exit(0)
  }
  if options.only == "sweep" {
    // Whole sweeps in child processes, ours with one and two jobs and PyTorch's: minutes, only on request.
    print(sweepTable(try sweepWorkload(options.sweep, reference: options.reference)))
    exit(0)
  }
  if let python = options.reference, options.only == "convnets", options.rounds > 1 {
    try convnetRounds(options, python: python, first: rows)
    exit(0)
  }
  if let python = options.reference {
    var reference: [String: [String: Any]] = [:]
    if options.only != "convnets" {
      reference = try referenceFigures(
        python: python, script: options.referenceScript, only: options.only, seconds: options.seconds)
    }
    if options.only == nil || options.only == "convnets" {
      // The networks of `--network` have their own reference script, in the repository.
      reference.merge(
        try referenceFigures(
          python: python, script: referenceScript("convnets.py"), only: nil, seconds: options.seconds)
      ) { a, _ in a }
    }
    for var row in rows {
      let name = row["workload"] as! String
      if let ours = row["gflops"] as? Double, let ref = reference[name]?["numpy_gflops"] as? Double {
        row["numpy_gflops"] = ref
        row["ratio_vs_numpy"] = ours / ref
        if let torch = reference[name]?["torch_gflops"] as? Double { row["torch_gflops"] = torch }
      }
      if let ours = row["samples_per_s"] as? Double, let ref = reference[name]?["torch_samples_per_s"] as? Double {
        row["torch_samples_per_s"] = ref
        row["ratio_vs_torch"] = ours / ref
      }
      printJSON(row)
    }
  }
} catch {
  FileHandle.standardError.write(Data("\(error)\n".utf8))
  exit(2)
}
