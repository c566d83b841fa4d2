import ContinualEngine
import Foundation

/// What a dataset is, as far as a run's result depends on it: its name, image shape, sizes, class
/// names and a checksum of every pixel and label.
///
/// A sweep puts ``fingerprint`` into each run's configuration (the `data` key of its record), so
/// the run's id changes when the data does: a rerun on corrected or different files does not skip
/// runs that finished on the old files, and does not resume their checkpoints.
///
/// The checksum is computed from the data as loaded (the decoded pixels and labels, before any
/// normalisation), not from the files, so a gzipped and a raw copy of the same dataset, or the
/// same files in another folder or on another machine, have the same identity; the built-in
/// dataset is identified by what its generator made. Computing it reads each byte once (about
/// 40 ms for MNIST, 0.2 s for CIFAR-10 on one core), so a sweep does it once per dataset.
///
/// ```swift
/// let (train, test) = try IDXDataset.load(.mnist, from: directory)
/// let identity = DataIdentity(name: "mnist", train: train, test: test)
/// identity.fingerprint   // "mnist 1x28x28 60000+10000 10 classes crc 3a9f…"
/// ```
public struct DataIdentity: Sendable, Equatable, CustomStringConvertible {
  /// The dataset's name, such as `mnist`.
  public var name: String
  /// The shape of one image, such as `[1, 28, 28]`.
  public var sampleShape: [Int]
  /// The number of training images.
  public var trainCount: Int
  /// The number of test images.
  public var testCount: Int
  /// The class names, by label.
  public var classNames: [String]
  /// The CRC-32s of the training set and of the test set (pixels, labels, class names and shape),
  /// as 16 hexadecimal digits.
  public var checksum: String

  /// The identity of a dataset's two sets.
  ///
  /// - Parameters:
  ///   - name: The dataset's name.
  ///   - train: The training set, as loaded.
  ///   - test: The test set, as loaded.
  /// - Complexity: O(*n*) in the number of stored pixel values.
  public init(name: String, train: LabelledImages, test: LabelledImages) {
    self.name = name
    sampleShape = train.sampleShape
    trainCount = train.count
    testCount = test.count
    classNames = train.classNames
    checksum = String(format: "%08x%08x", train.contentChecksum, test.contentChecksum)
  }

  /// One line that changes whenever the data does:
  /// `mnist 1x28x28 60000+10000 10 classes crc 3a9f04c1b2d7e860`.
  public var fingerprint: String {
    let shape = sampleShape.map(String.init).joined(separator: "x")
    return "\(name) \(shape) \(trainCount)+\(testCount) \(classNames.count) classes crc \(checksum)"
  }

  /// The ``fingerprint``.
  public var description: String { fingerprint }
}

extension LabelledImages {
  /// The CRC-32 of everything a run sees of this set: the stored pixels (bytes, or the floats'
  /// bit patterns), the rows shown, the labels, the class names and the sample shape.
  var contentChecksum: UInt32 {
    var crc = Checksum.crc32(Data(sampleShape.map(String.init).joined(separator: "x").utf8))
    switch store.storage {
    case .bytes(let bytes): crc = bytes.withUnsafeBytes { Checksum.crc32($0, continuing: crc) }
    case .floats(let tensor):
      crc = tensor.withUnsafeBufferPointer { Checksum.crc32(UnsafeRawBufferPointer($0), continuing: crc) }
    }
    if let rows { crc = rows.map { Int64($0).littleEndian }.withUnsafeBytes { Checksum.crc32($0, continuing: crc) } }
    crc = labels.map { Int64($0).littleEndian }.withUnsafeBytes { Checksum.crc32($0, continuing: crc) }
    return Checksum.crc32(Data(classNames.joined(separator: "\n").utf8), continuing: crc)
  }
}
