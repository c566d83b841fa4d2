import ContinualData
import Foundation
import Testing

/// Inputs the coverage-guided fuzzers (`Tests/Fuzz`, see Docs/Robustness.md) found to crash a
/// reader, each kept here with the error it now gives (and in the fuzzers' seed corpus).
@Suite struct FuzzRegressionTests {
  /// `fuzz-idx-dataset`'s first crash: an image file claiming 0 images of 4,294,967,295 ×
  /// 4,294,967,115 pixels holds no pixel byte, so it decoded, and pairing it with an empty label
  /// file overflowed the size of one image (a trap in `PixelStore`). `IDXFile` now rejects sizes
  /// whose non-zero product overflows, and the pairing rejects images of 0 or over 2²⁴ pixels.
  static let zeroImagesOfOverflowingSize: [UInt8] = [
    0, 0, 8, 3, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x4B,
  ]
  static let noLabels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 0]

  @Test func anEmptyImageFileWhoseImageSizeOverflowsIsRejected() throws {
    let error = #expect(throws: IDXError.self) {
      try IDXFile.decode(Data(Self.zeroImagesOfOverflowingSize), source: "images")
    }
    #expect(error == .invalidDimensions(source: "images", dimensions: [0, 4_294_967_295, 4_294_967_115]))
    // The same through the files a dataset is loaded from.
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "FuzzRegressionTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let images = directory.appendingPathComponent("images"), labels = directory.appendingPathComponent("labels")
    try Data(Self.zeroImagesOfOverflowingSize).write(to: images)
    try Data(Self.noLabels).write(to: labels)
    #expect(throws: IDXError.invalidDimensions(source: images.path, dimensions: [0, 4_294_967_295, 4_294_967_115])) {
      try IDXDataset.loadPair(images: images, labels: labels, classNames: IDXDataset.mnist.classNames)
    }
  }

  @Test(arguments: [[2, 0, 3], [2, 3, 0], [0, 0, 0], [0, 4097, 4096], [0, 1 << 25, 1]])
  func imagesOfNoPixelsOrTooManyAreRejected(dimensions: [Int]) throws {
    let images = try IDXFile.decode(
      IDXFile.encode(IDXArray(dimensions: dimensions, bytes: [UInt8](repeating: 7, count: dimensions.reduce(1, *)))),
      source: "images")
    let labels = IDXArray(dimensions: [dimensions[0]], bytes: [UInt8](repeating: 1, count: dimensions[0]))
    let error = #expect(throws: DatasetError.self) {
      try IDXDataset.labelledImages(
        images: images, imagesSource: "images", labels: labels, labelsSource: "labels", classNames: ["a", "b"])
    }
    #expect(
      error?.description
        == "images: expected images of 1 to 16777216 pixels (rows × columns, neither 0), found "
        + "dimensions \(dimensions)"
    )
  }

  @Test func theLargestImagesAllowedAreRead() throws {
    let images = IDXArray(dimensions: [0, 4096, 4096], bytes: [])
    let labels = IDXArray(dimensions: [0], bytes: [])
    let set = try IDXDataset.labelledImages(
      images: images, imagesSource: "images", labels: labels, labelsSource: "labels", classNames: ["a"])
    #expect(set.count == 0 && set.sampleShape == [1, 4096, 4096])
  }
}
