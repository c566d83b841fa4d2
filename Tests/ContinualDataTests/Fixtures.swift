import CZlib
import ContinualEngine
import Foundation

@testable import ContinualData

/// Hand-built IDX bytes, gzip streams, temporary directories and small image sets for the data tests.
enum Fixtures {
  /// The bytes of an unsigned-byte IDX file, built by hand (independently of `IDXFile.encode`).
  static func idx(dimensions: [Int], bytes: [UInt8], typeCode: UInt8 = 0x08) -> [UInt8] {
    var data: [UInt8] = [0, 0, typeCode, UInt8(dimensions.count)]
    for size in dimensions {
      data += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
    }
    return data + bytes
  }

  /// `bytes` compressed as one gzip member with the system zlib.
  static func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(
      &stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2_ failed with \(status)")
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
    input.withUnsafeMutableBufferPointer { input in
      output.withUnsafeMutableBufferPointer { output in
        stream.next_in = input.baseAddress
        stream.avail_in = uInt(input.count)
        stream.next_out = output.baseAddress
        stream.avail_out = uInt(output.count)
        let result = deflate(&stream, Z_FINISH)
        precondition(result == Z_STREAM_END, "deflate failed with \(result)")
      }
    }
    return Array(output.prefix(Int(stream.total_out)))
  }

  /// A fresh temporary directory; remove it with `FileManager.default.removeItem(at:)`.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "continual-data-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes a tiny dataset's four IDX files (`trainCount` and `testCount` images of `side`×`side`)
  /// into `directory`, gzipped or raw; pixel `k` of image `i` is `(i + k) % 256`, label `i % 10`.
  @discardableResult
  static func writeDataset(
    in directory: URL, trainCount: Int = 12, testCount: Int = 5, side: Int = 3, gzipped: Bool = true,
    trainLabels: [UInt8]? = nil
  ) throws -> URL {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    func images(_ count: Int) -> [UInt8] {
      idx(
        dimensions: [count, side, side],
        bytes: (0..<(count * side * side)).map { UInt8(($0 / (side * side) + $0 % (side * side)) % 256) })
    }
    func labels(_ count: Int) -> [UInt8] { idx(dimensions: [count], bytes: (0..<count).map { UInt8($0 % 10) }) }
    let files: [(IDXDataset.File, [UInt8])] = [
      (.trainImages, images(trainCount)),
      (.trainLabels, trainLabels.map { idx(dimensions: [$0.count], bytes: $0) } ?? labels(trainCount)),
      (.testImages, images(testCount)),
      (.testLabels, labels(testCount)),
    ]
    for (file, bytes) in files {
      let name = file.fileName + (gzipped ? ".gz" : "")
      try Data(gzipped ? gzip(bytes) : bytes).write(to: directory.appendingPathComponent(name))
    }
    return directory
  }

  /// A small labelled set of `count` images of `[1, side, side]` with labels `i % classes`, built from a seed.
  static func images(count: Int, side: Int = 4, classes: Int = 10, seed: UInt64 = 1) throws -> LabelledImages {
    var rng = SeededGenerator(seed: seed)
    let inputs = Tensor.randomUniform([count, 1, side, side], using: &rng)
    return try LabelledImages(
      inputs: inputs, labels: (0..<count).map { $0 % classes }, classNames: (0..<classes).map(String.init))
  }

  /// The pixels of image `index` (all channels) of a set.
  static func pixels(of images: LabelledImages, at index: Int) -> [Float] {
    let size = images.sampleShape.reduce(1, *)
    return Array(images.inputs.scalars[(index * size)..<((index + 1) * size)])
  }
}
