import ContinualData
import Foundation
import Testing

/// A data file too large to read is refused by its size before anything
/// is read or mapped, with "too large", the file and the limit (a raw `.bin` is not called a gzip
/// stream, a huge names file is not "not UTF-8"); and a CIFAR names file may not repeat a name.
///
/// The files are sparse (`truncate`): 8 GiB on disk costs nothing, and before the fix the readers
/// mapped them whole (under `ulimit -v`, a trap in `Data(count:)`).
@Suite struct HugeFileTests {
  /// Makes `url` a sparse file of `size` bytes.
  static func sparse(_ url: URL, size: Int = 8 << 30) throws {
    try? FileManager.default.removeItem(at: url)
    #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
    #expect(truncate(url.path, off_t(size)) == 0)
  }

  @Test(arguments: ["data_batch_1.bin", "batches.meta.txt"])
  func aHugeCIFARFileIsTooLargeNamingTheFileAndTheLimit(name: String) throws {
    let message = try CIFARDatasetTests.error(after: { try Self.sparse($0.appendingPathComponent(name)) })
    let limit = name.hasSuffix(".bin") ? CIFARDataset.maximumFileSize : CIFARDataset.maximumNamesFileSize
    #expect(
      message.contains("\(name): too large: the file holds 8589934592 bytes, more than the \(limit)-byte limit"),
      "\(message)")
    #expect(!message.contains("gzip") && !message.contains("UTF-8"), "\(message)")
  }

  /// Bytes held in memory get the same reasons: a raw `.bin` over the limit is not "the gzip
  /// stream", and a 2 MiB names file is "too large", not "not UTF-8".
  @Test func bytesOverTheLimitAreTooLargeNotMisnamed() throws {
    let raw = Data(count: CIFARDataset.maximumFileSize + 3073)
    let images = #expect(throws: IDXError.self) {
      try CIFARDataset.cifar10.decodeImages(raw, source: "test_batch.bin", classNames: [])
    }
    #expect(images == .fileTooLarge(source: "test_batch.bin", size: raw.count, limit: CIFARDataset.maximumFileSize))
    let names = Data(repeating: UInt8(ascii: "a"), count: 2 << 20)
    let error = #expect(throws: IDXError.self) {
      try CIFARDataset.cifar10.decodeClassNames(names, source: "batches.meta.txt")
    }
    #expect("\(error.map { "\($0)" } ?? "")".contains("batches.meta.txt: too large: the file holds 2097152 bytes"))
  }

  @Test(arguments: [false, true])
  func aHugeIDXFileIsTooLargeNamingTheFileAndTheLimit(gzipped: Bool) throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("train-images-idx3-ubyte" + (gzipped ? ".gz" : ""))
    try Self.sparse(url)
    if gzipped {
      // A gzip header, then 8 GiB of nothing.
      let handle = try FileHandle(forWritingTo: url)
      try handle.write(contentsOf: Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]))
      try handle.close()
    }
    #expect(throws: IDXError.fileTooLarge(source: url.path, size: 8 << 30, limit: IDXFile.maximumFileSize)) {
      try IDXFile.read(contentsOf: url)
    }
    #expect(
      "\(IDXError.fileTooLarge(source: url.path, size: 8 << 30, limit: IDXFile.maximumFileSize))".contains("too large"))
  }

  @Test func aRepeatedClassNameIsRefusedNamingBothLines() throws {
    let message = try CIFARDatasetTests.error(after: {
      try Data("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ncat\n".utf8)
        .write(to: $0.appendingPathComponent("batches.meta.txt"))
    })
    #expect(message.contains(#"batches.meta.txt: line 10 repeats the class name "cat" of line 4"#), "\(message)")
  }
}
