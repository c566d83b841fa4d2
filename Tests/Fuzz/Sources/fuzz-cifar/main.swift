// Fuzzes the CIFAR readers: `decodeImages(_:source:labels:classNames:)` for CIFAR-10, and for
// CIFAR-100 with fine and coarse labels, and `decodeClassNames(_:source:labels:)` for the three
// class-name files, all on the same input (raw or gzipped records, or text).
//
// Promises checked: rejection only with `DatasetError` or `IDXError` naming the file; accepted
// images are whole records with labels in range whose pixels read back as `byte / 255`; accepted
// names are exactly the expected number, none blank and none spanning lines.

import ContinualData
import ContinualEngine
import Foundation
import FuzzSupport

let source = "fuzz/data_batch_1.bin"
let cases: [(CIFARDataset, CIFARDataset.Labels)] = [(.cifar10, .fine), (.cifar100, .fine), (.cifar100, .coarse)]

func classNames(_ count: Int) -> [String] { (0..<count).map { "class \($0)" } }

func requireNamesSource(_ error: any Error) {
  switch error {
  case let error as DatasetError:
    Fuzzer.require(error.description.contains(source), "the message does not name the file: \(error)")
  case let error as IDXError:
    Fuzzer.require(error.description.hasPrefix(source + ":"), "the message does not name the file: \(error)")
  default: Fuzzer.untyped(error)
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = Fuzzer.data(data, size)
  for (dataset, labels) in cases {
    let labelBytes = dataset.recordSize - CIFARDataset.imageSize
    let classCount = dataset == .cifar10 ? 10 : labels == .fine ? 100 : 20
    do {
      let set = try dataset.decodeImages(input, source: source, labels: labels, classNames: classNames(classCount))
      Fuzzer.require(
        set.count > 0 && set.sampleShape == CIFARDataset.sampleShape, "\(set.count) images of \(set.sampleShape)")
      Fuzzer.require(set.labels.allSatisfy { (0..<classCount).contains($0) }, "a label outside \(classCount) classes")
      if !input.starts(with: [0x1F, 0x8B]) {
        Fuzzer.require(set.count * dataset.recordSize == input.count, "\(set.count) records from \(input.count) bytes")
        let last = set.count - 1
        let batch = try set.inputs(at: [last])
        let pixels = input[(last * dataset.recordSize + labelBytes)..<(set.count * dataset.recordSize)]
        Fuzzer.require(
          batch.scalars == pixels.map { Float($0) / 255 }, "the last image is not its record's bytes / 255")
        Fuzzer.require(
          set.labels[last] == Int(input[last * dataset.recordSize + labelBytes - 1 - (labels == .coarse ? 1 : 0)]),
          "label")
      }
    } catch {
      requireNamesSource(error)
    }
    do {
      let names = try dataset.decodeClassNames(input, source: source, labels: labels)
      Fuzzer.require(names.count == classCount, "\(names.count) class names for \(classCount) classes")
      Fuzzer.require(
        names.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isNewline) }, "a blank or multi-line class name")
    } catch {
      requireNamesSource(error)
    }
  }
  return 0
}

Fuzzer.run()
