// Writes the fuzzers' seed corpus, `Tests/Fuzz/Corpus/<fuzzer>/<seed>`: small valid files (and a few
// near-misses) made with ContinualKit's own writers, a few KB each. Run from the repository's top
// level without sanitizers, then commit the result:
//
//   swift run --package-path Tests/Fuzz --scratch-path .build/fuzz-seeds fuzz-seeds Tests/Fuzz/Corpus
//
// The output is deterministic (gzip is run with -n, so without a time stamp).

import ContinualCore
import ContinualData
import ContinualEngine
import ContinualReport
import Foundation

let root = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "Tests/Fuzz/Corpus")

func write(_ fuzzer: String, _ name: String, _ data: Data) throws {
  let folder = root.appendingPathComponent(fuzzer)
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  try data.write(to: folder.appendingPathComponent(name))
}

func join(_ first: Data, _ second: Data) -> Data {
  Data([UInt8(first.count >> 8), UInt8(first.count & 0xFF)]) + first + second
}

/// `data` gzipped by the system's `gzip -9 -n` (one member, no name or time stamp).
func gzip(_ data: Data) throws -> Data {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["gzip", "-9", "-n", "-c"]
  let input = Pipe(), output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  try process.run()
  input.fileHandleForWriting.write(data)
  try input.fileHandleForWriting.close()
  let compressed = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
  return compressed
}

/// Deterministic bytes: `(i * 37 + salt) % 256`.
func pattern(_ count: Int, salt: Int = 0) -> [UInt8] { (0..<count).map { UInt8(($0 * 37 + salt) % 256) } }

// MARK: - IDX and gzip

let labels = try IDXFile.encode(IDXArray(dimensions: [6], bytes: [0, 1, 2, 3, 4, 9]))
let images = try IDXFile.encode(IDXArray(dimensions: [3, 5, 4], bytes: pattern(60)))
try write("fuzz-idx", "labels-6", labels)
try write("fuzz-idx", "images-3x5x4", images)
try write("fuzz-idx", "rank2-3x7", IDXFile.encode(IDXArray(dimensions: [3, 7], bytes: pattern(21, salt: 5))))
try write("fuzz-idx", "rank4-2x2x3x3", IDXFile.encode(IDXArray(dimensions: [2, 2, 3, 3], bytes: pattern(36, salt: 9))))
try write("fuzz-idx", "empty-0", IDXFile.encode(IDXArray(dimensions: [0], bytes: [])))
try write("fuzz-idx", "labels-6.gz", gzip(labels))
try write("fuzz-idx", "images-3x5x4.gz", gzip(images))
try write("fuzz-idx", "images-two-members.gz", gzip(images.prefix(20)) + gzip(images.dropFirst(20)))
try write(
  "fuzz-idx", "zeros-28x28.gz",
  gzip(IDXFile.encode(IDXArray(dimensions: [2, 28, 28], bytes: [UInt8](repeating: 0, count: 1568)))))

// MARK: - An image and label file pair

let pairImages = try IDXFile.encode(IDXArray(dimensions: [4, 6, 5], bytes: pattern(120, salt: 3)))
let pairLabels = try IDXFile.encode(IDXArray(dimensions: [4], bytes: [7, 0, 3, 9]))
try write("fuzz-idx-dataset", "pair-4x6x5", join(pairImages, pairLabels))
try write("fuzz-idx-dataset", "pair-4x6x5.gz", join(gzip(pairImages), gzip(pairLabels)))
try write(
  "fuzz-idx-dataset", "pair-1x28x28",
  join(
    try IDXFile.encode(IDXArray(dimensions: [1, 28, 28], bytes: pattern(784))),
    try IDXFile.encode(IDXArray(dimensions: [1], bytes: [5]))))
try write(
  "fuzz-idx-dataset", "pair-empty",
  join(
    try IDXFile.encode(IDXArray(dimensions: [0, 28, 28], bytes: [])),
    try IDXFile.encode(IDXArray(dimensions: [0], bytes: []))))

// MARK: - CIFAR

func records(labels: [[UInt8]]) -> Data {
  Data(labels.enumerated().flatMap { index, label in label + pattern(CIFARDataset.imageSize, salt: index) })
}
let cifar10 = records(labels: [[3], [9]])
let cifar100 = records(labels: [[4, 17], [19, 99]])
try write("fuzz-cifar", "cifar10-2-records.bin", cifar10)
try write("fuzz-cifar", "cifar100-2-records.bin", cifar100)
try write("fuzz-cifar", "cifar10-1-record.bin.gz", gzip(records(labels: [[0]])))
try write("fuzz-cifar", "cifar100-1-record.bin.gz", gzip(records(labels: [[1, 2]])))
let cifar10Names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
try write("fuzz-cifar", "batches.meta.txt", Data((cifar10Names.joined(separator: "\n") + "\n\n").utf8))
try write(
  "fuzz-cifar", "fine_label_names.txt", Data(((0..<100).map { "fine_\($0)" }.joined(separator: "\n") + "\n").utf8))
try write(
  "fuzz-cifar", "coarse_label_names.txt", Data(((0..<20).map { " coarse \($0)\r" }.joined(separator: "\n")).utf8))

// MARK: - Safetensors

let weight = try Tensor(shape: [3, 2], scalars: [0.5, -1, 2, 0, .infinity, Float(bitPattern: 1)])
let bias = Tensor([0.25, -0.125, 3])
try write(
  "fuzz-safetensors", "two-tensors",
  SafeTensors.encode(try NamedTensors(names: ["layer.weight", "layer.bias"], tensors: [weight, bias])))
try write(
  "fuzz-safetensors", "metadata-scalar-empty",
  SafeTensors.encode(
    try NamedTensors(
      names: ["scalar", "empty", "ünïcode \"name\""],
      tensors: [Tensor(7), Tensor(shape: [0, 3], repeating: 0), bias]),
    metadata: ["format": "pt", "note": "line\nbreak"]))
/// A file as another writer lays it out: other dtypes, entries out of data order, no padding.
func foreign(_ header: String, _ data: [UInt8]) -> Data {
  var file = Data()
  withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { file.append(contentsOf: $0) }
  return file + Data(header.utf8) + Data(data)
}
try write(
  "fuzz-safetensors", "f64-f16-bf16",
  foreign(
    #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"#
      + #""d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"#
      + #""b":{"dtype":"BF16","shape":[1,1],"data_offsets":[12,14]}}"#,
    [0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x00, 0x3C, 0x01, 0x7C, 0x80, 0xBF]))
try write("fuzz-safetensors", "header-only", foreign(#"{"__metadata__":{}}"#, []))

// MARK: - JSON

let jsonSeeds: [(String, String)] = [
  (
    "object",
    #"{"seeds": 3, "algorithms": ["ewc", "si"], "set": {"ewc.lambda": 1e4, "si.clamp": false}, "output": null}"#
  ),
  ("numbers", "[0, -0, 1.5, -2.25e-3, 1E+9, 123456789012345678901234567890, 1e999]"),
  ("strings", #"["", "a\"b\\c\/d", "\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "snow ☃ man"]"#),
  ("nested", "[[[[{\"a\":[[]]}]]]]"),
  ("bom-whitespace", "\u{FEFF} \t\r\n true \n"),
]
for (name, text) in jsonSeeds { try write("fuzz-json", name, Data(text.utf8)) }

// MARK: - Run records

func record(_ id: String, status: RunStatus = .finished, matrix: [[Double]], initial: [Double]? = nil) -> RunRecord {
  RunRecord(
    runID: id, benchmark: "split-mnist", scenario: "task", algorithm: "ewc+si", seed: 1,
    config: ["ewc.lambda": "10000", "si.c": "1"],
    status: status, failure: status == .failed ? "loss diverged at task 2" : nil, accuracyMatrix: matrix,
    initialAccuracies: initial,
    lossTerms: [["head": 0.5, "ewc": 0.01]], wallSeconds: 12.5, peakRSSBytes: 1_000_000,
    finishedAt: Date(timeIntervalSince1970: 1_700_000_000),
    notes: ["hnet.compression_ratio": "0.5"])
}
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
func line(_ record: RunRecord) throws -> String { String(decoding: try encoder.encode(record), as: UTF8.self) + "\n" }
let finished = try line(record("ewc-1", matrix: [[0.95, 0.1], [0.85, 0.95]], initial: [0.1, 0.1]))
let failed = try line(record("ewc-2", status: .failed, matrix: [[0.5, 0.1]]))
try write("fuzz-records", "two-records.jsonl", Data((finished + failed).utf8))
try write("fuzz-records", "torn-last-line.jsonl", Data((finished + "\n" + String(failed.prefix(60))).utf8))
try write(
  "fuzz-records", "three-tasks.jsonl",
  Data(try line(record("si-1", matrix: [[0.9, 0.2, 0.1], [0.8, 0.9, 0.1], [0.7, 0.8, 0.9]])).utf8))

// MARK: - Checkpoint manifests

let checkpoint = TrainingCheckpoint(
  identity: "run-1", completedTasks: 1, taskCount: 2,
  parameters: try NamedTensors(names: ["0.weight", "0.bias"], tensors: [weight.map { $0.isFinite ? $0 : 1 }, bias]),
  optimiser: OptimiserState(step: 3, buffers: try NamedTensors(names: ["0.bias.momentum"], tensors: [bias])),
  generators: Dictionary(
    uniqueKeysWithValues: TrainingCheckpoint.generatorRoles.enumerated().map {
      ($1, SeededGenerator(seed: UInt64($0 + 1)))
    }),
  components: [
    TrainingCheckpoint.Component(
      role: "regulariser", name: "ewc",
      state: CheckpointState(
        tensors: try NamedTensors(names: ["anchor.0"], tensors: [Tensor([1, 2])]), numbers: ["tasks": [1]]))
  ],
  accuracyMatrix: [[0.9, 0.1]], initialAccuracies: [0.1, 0.12], lossTerms: [["head": 0.25, "ewc": 1e-3]],
  elapsedSeconds: 4.5,
  modelState: try NamedTensors(names: ["1.running_mean"], tensors: [Tensor([0, 0.5])]))
let tensorFile = try checkpoint.tensorFile()
let sealed = checkpoint.manifest(tensorFileName: "task-1.safetensors", tensorData: tensorFile)
try write("fuzz-manifest", "sealed", join(Data(sealed.utf8), tensorFile))
/// The manifest without its seal, its tensor size and CRC-32 as placeholders the fuzzer fills in.
var open = String(sealed[..<sealed.range(of: #","manifest_crc32":"#)!.lowerBound]) + "}"
for key in ["tensor_bytes", "tensor_crc32"] {
  let start = open.range(of: "\"\(key)\":")!.upperBound
  let end = open[start...].firstIndex { !$0.isNumber }!
  open.replaceSubrange(start..<end, with: key == "tensor_bytes" ? "@TENSOR_BYTES@" : "@TENSOR_CRC32@")
}
try write("fuzz-manifest", "placeholders", join(Data(open.utf8), tensorFile))
try write("fuzz-json", "manifest", Data(sealed.utf8))

// MARK: - deep nesting, lone surrogates, repeated keys in records

let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
let loneSurrogate = "{" + #""a":"\ud800","# + finished.dropFirst()
try write("fuzz-records", "lone-surrogate.jsonl", Data(loneSurrogate.utf8))
try write("fuzz-records", "nested-65.jsonl", Data(("{\"a\":" + deep + "," + finished.dropFirst()).utf8))
try write(
  "fuzz-records", "validation-matrix.jsonl",
  Data(
    try line(
      {
        var r = record("ewc-3", matrix: [[0.95, 0.1], [0.85, 0.95]])
        r.validationAccuracyMatrix = [[0.9, 0.2], [0.8, 0.9]]
        return r
      }()
    ).utf8))
try write("fuzz-json", "nested-65", Data(deep.utf8))
try write("fuzz-json", "lone-surrogate", Data(#"["\ud800", "\udc00x"]"#.utf8))

// MARK: - Saved models

let modelNetwork = Sequential([
  Conv2d(1, 3, kernelSize: 3, padding: 1), BatchNorm(3), ReLU(), GlobalAveragePool(), Linear(3, 4),
])
var modelGenerator = SeededGenerator(seed: 7)
let savedModel = Model(modelNetwork, rng: &modelGenerator)
for (scenario, name) in [("class", "class"), ("task", "task"), ("domain", "domain")] {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("fuzz-seeds-model-\(ProcessInfo.processInfo.processIdentifier)")
  defer { try? FileManager.default.removeItem(at: folder) }
  let layout = TaskLayout(classCounts: scenario == "domain" ? [4, 4] : [2, 2])
  let description = SavedModel.Description(
    network: "test", inputShape: [1, 5, 5], outputCount: 4,
    head: SavedModel.HeadDescription(scenario: scenario, layout: layout),
    run: ["seed": "1"])
  try SavedModel.write(savedModel, description: description, to: folder)
  let json = try Data(contentsOf: folder.appendingPathComponent(SavedModel.descriptionFile))
  let weights = try Data(contentsOf: folder.appendingPathComponent(SavedModel.weightsFile))
  try write("fuzz-saved-model", name, join(json, weights))
  if scenario == "class" {
    // Compact JSON: more of the 4 KB left for mutations.
    let compact = try JSONEncoder().encode(try JSONDecoder().decode(SavedModel.Description.self, from: json))
    try write("fuzz-saved-model", "class-compact", join(compact, weights))
  }
}
print("wrote the seed corpus to \(root.path)")
