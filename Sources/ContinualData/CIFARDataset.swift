import ContinualEngine
import Foundation

/// CIFAR-10 and CIFAR-100 in their "binary version" layout (Krizhevsky, 2009): 32×32 colour images
/// held in memory as their bytes.
///
/// Each `.bin` file is a run of fixed-size records: CIFAR-10's are a label byte and 3,072 pixel
/// bytes; CIFAR-100's a coarse label byte, a fine label byte and 3,072 pixel bytes. The pixels are
/// the 1,024 red values of the image row by row, then the green, then the blue — exactly the
/// `[3, 32, 32]` layout of a ``LabelledImages`` sample, so the bytes are kept as they are. Files may
/// be raw (`name.bin`) or gzipped (`name.bin.gz`, preferred when both exist).
///
/// ```swift
/// let folder = try DataDirectory.resolve(dataset: .cifar10, explicit: URL(fileURLWithPath: "../shared/data"))
/// let (train, test) = try CIFARDataset.load(.cifar10, from: folder)
/// print(train.count, train.sampleShape)   // 50000 [3, 32, 32]
/// ```
public enum CIFARDataset: String, Sendable, CaseIterable {
  /// Ten classes, 50,000 training images in five batch files and 10,000 test images.
  case cifar10 = "cifar-10"
  /// A hundred fine classes in twenty coarse superclasses, 50,000 training and 10,000 test images.
  case cifar100 = "cifar-100"

  /// The image files for training, in the order their records are read.
  public var trainingFiles: [String] {
    switch self {
    case .cifar10: return (1...5).map { "data_batch_\($0).bin" }
    case .cifar100: return ["train.bin"]
    }
  }

  /// The image file for testing.
  public var testFile: String { self == .cifar10 ? "test_batch.bin" : "test.bin" }

  /// The class-name files: one name a line, in label order.
  public var nameFiles: [String] {
    self == .cifar10 ? ["batches.meta.txt"] : ["fine_label_names.txt", "coarse_label_names.txt"]
  }

  /// Every file the dataset needs (images without their optional `.gz`).
  public var fileNames: [String] { trainingFiles + [testFile] + nameFiles }

  /// The bytes of one record: the label byte(s) and 3,072 pixel bytes.
  public var recordSize: Int { labelClassCounts.count + Self.imageSize }

  /// The number of classes of each label byte that starts a record: `[10]` for CIFAR-10, and for
  /// CIFAR-100 `[20, 100]` (coarse, then fine).
  var labelClassCounts: [Int] { self == .cifar10 ? [10] : [20, 100] }

  /// The pixel bytes of one image, `3 × 32 × 32`.
  public static let imageSize = 3 * 32 * 32

  /// The shape of one sample, `[3, 32, 32]`.
  public static let sampleShape = [3, 32, 32]

  /// The official archive of the binary version.
  public var archiveURL: String {
    "https://www.cs.toronto.edu/~kriz/\(self == .cifar10 ? "cifar-10-binary.tar.gz" : "cifar-100-binary.tar.gz")"
  }

  /// The folder the official archive unpacks to.
  public var archiveFolder: String { self == .cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary" }

  /// The largest decompressed `.bin` file accepted: 256 MiB (the real files are 30 and 150 MB).
  public static let maximumFileSize = 1 << 28

  /// The location of a file in `directory`: for image files the gzipped `name.gz` first, then the
  /// raw `name`; `nil` when neither is a regular file.
  public static func location(of name: String, in directory: URL) -> URL? {
    firstRegularFile(named: name.hasSuffix(".bin") ? [name + ".gz", name] : [name], in: directory)
  }

  /// Which labels of CIFAR-100 a set uses.
  public enum Labels: String, Sendable, CaseIterable {
    /// The 100 fine classes (the usual choice).
    case fine
    /// The 20 coarse superclasses.
    case coarse
  }

  /// Loads the training and test sets from a directory holding the dataset's files.
  ///
  /// - Parameters:
  ///   - dataset: Which dataset.
  ///   - directory: The folder holding its files (see
  ///     ``DataDirectory/resolve(dataset:explicit:environment:)-(CIFARDataset,_,_)``).
  ///   - labels: For CIFAR-100, fine (100 classes) or coarse (20) labels; ignored for CIFAR-10.
  /// - Returns: The sets, samples `[3, 32, 32]` held as bytes (values `byte / 255`), labelled and named
  ///   from the class-name file.
  /// - Throws: ``DatasetError/missingFiles(dataset:directory:files:)`` when files are missing,
  ///   ``DatasetError/malformedFile(file:reason:)`` for a file that is not whole records or a
  ///   class-name file with the wrong number of names, ``DatasetError/labelOutOfRange(file:index:value:classCount:)``
  ///   for a label outside the classes, and ``IDXError`` for an unreadable file or a corrupt gzip
  ///   stream — each naming the file.
  /// - Complexity: Linear in the files' size; the images are held once, 184 MB for either dataset.
  public static func load(_ dataset: CIFARDataset, from directory: URL, labels: Labels = .fine) throws -> (
    train: LabelledImages, test: LabelledImages
  ) {
    let missing = dataset.missingFileNames(in: directory)
    guard missing.isEmpty else {
      throw DatasetError.missingFiles(dataset: dataset.displayName, directory: directory.path, files: missing)
    }
    func file(_ name: String) throws -> URL {
      guard let url = Self.location(of: name, in: directory) else {
        throw DatasetError.missingFiles(dataset: dataset.displayName, directory: directory.path, files: [name])
      }
      return url
    }
    let namesFile = try file(dataset.nameFile(for: labels))
    let classNames = try readClassNames(namesFile, expected: dataset.classCount(for: labels))
    let labelIndex = dataset.labelIndex(for: labels)
    func read(_ files: [String]) throws -> LabelledImages {
      var pixels: [UInt8] = []
      var labels: [Int] = []
      for (position, name) in files.enumerated() {
        try CIFARFile.read(file(name), labelClassCounts: dataset.labelClassCounts, using: labelIndex) {
          pixels.append(contentsOf: $0)
          labels.append($1)
        }
        // The batch files are the same size: reserve the rest at once rather than growing by doubling.
        if position == 0 { pixels.reserveCapacity(pixels.count * files.count) }
      }
      return try LabelledImages(pixels: pixels, sampleShape: sampleShape, labels: labels, classNames: classNames)
    }
    return (try read(dataset.trainingFiles), try read([dataset.testFile]))
  }

  /// The class names of a names file: one per non-empty line, exactly `expected` of them.
  static func readClassNames(_ url: URL, expected: Int) throws -> [String] {
    try parseClassNames(IDXFile.readFile(url, limit: maximumNamesFileSize), source: url.path, expected: expected)
  }

  /// The largest class-name file accepted: 1 MiB (the real ones are under 1 kB).
  public static let maximumNamesFileSize = 1 << 20

  /// The class names in the bytes of a names file: one per non-empty line, exactly `expected` of them.
  static func parseClassNames(_ data: Data, source: String, expected: Int) throws -> [String] {
    guard data.count <= maximumNamesFileSize else {
      throw IDXError.fileTooLarge(source: source, size: data.count, limit: maximumNamesFileSize)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw DatasetError.malformedFile(file: source, reason: "not a UTF-8 text file of class names (one per line)")
    }
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    if let blank = lines.firstIndex(where: \.isEmpty) {
      throw DatasetError.malformedFile(
        file: source, reason: "line \(blank + 1) is blank; expected \(expected) class names, one per line")
    }
    guard lines.count == expected else {
      throw DatasetError.malformedFile(
        file: source, reason: "holds \(lines.count) class names; expected \(expected), one per line")
    }
    var firstLine: [String: Int] = [:]
    for (index, name) in lines.enumerated() {
      if let earlier = firstLine[name] {
        throw DatasetError.malformedFile(
          file: source,
          reason: "line \(index + 1) repeats the class name \"\(name)\" of line \(earlier + 1); "
            + "each class needs its own name")
      }
      firstLine[name] = index
    }
    return lines
  }

  /// Which label byte of a record a set reads: CIFAR-100 records start with the coarse label, then
  /// the fine one; CIFAR-10 records have one.
  func labelIndex(for labels: Labels) -> Int { self == .cifar100 && labels == .coarse ? 0 : labelClassCounts.count - 1 }

  /// The number of classes of a set read with `labels`.
  func classCount(for labels: Labels) -> Int { labelClassCounts[labelIndex(for: labels)] }

  /// The class-name file of a set read with `labels`.
  func nameFile(for labels: Labels) -> String {
    self == .cifar100 && labels == .coarse ? "coarse_label_names.txt" : nameFiles[0]
  }
}

// MARK: - Decoding bytes

extension CIFARDataset {
  /// Decodes the bytes of one image file — `data_batch_1.bin`, `test.bin` and the like, raw or
  /// gzipped — into labelled images, with the checks ``load(_:from:labels:)`` makes.
  ///
  /// For bytes that do not come from a folder: a download held in memory, an archive member, a
  /// test. The file must be a whole, non-zero number of records, at most ``maximumFileSize`` bytes
  /// once decompressed, with every label byte of every record in range.
  ///
  /// ```swift
  /// let names = try CIFARDataset.cifar10.decodeClassNames(Data(contentsOf: namesURL), source: "batches.meta.txt")
  /// let test = try CIFARDataset.cifar10.decodeImages(
  ///   Data(contentsOf: testURL), source: "test_batch.bin", classNames: names)
  /// print(test.count, test.sampleShape)   // 10000 [3, 32, 32]
  /// ```
  ///
  /// - Parameters:
  ///   - data: The file's bytes.
  ///   - source: Where the bytes came from (usually a path), used in error messages.
  ///   - labels: For CIFAR-100, fine or coarse labels; ignored for CIFAR-10.
  ///   - classNames: A name per class of `labels` (10, 100 or 20 of them).
  /// - Returns: The images, samples `[3, 32, 32]` held as bytes, and their labels.
  /// - Throws: ``DatasetError/malformedFile(file:reason:)`` when the bytes are not whole records,
  ///   ``DatasetError/labelOutOfRange(file:index:value:classCount:)`` for a label byte outside its
  ///   classes (or beyond `classNames`), ``IDXError`` for a corrupt gzip stream or a file beyond
  ///   ``maximumFileSize`` — each naming `source`.
  /// - Complexity: Linear in the size of `data`.
  public func decodeImages(_ data: Data, source: String, labels: Labels = .fine, classNames: [String]) throws
    -> LabelledImages
  {
    var pixels: [UInt8] = []
    var values: [Int] = []
    try CIFARFile.read(data, source: source, labelClassCounts: labelClassCounts, using: labelIndex(for: labels)) {
      pixels.append(contentsOf: $0)
      values.append($1)
    }
    return try LabelledImages(pixels: pixels, sampleShape: Self.sampleShape, labels: values, classNames: classNames)
  }

  /// Decodes the bytes of a class-name file — `batches.meta.txt`, `fine_label_names.txt` or
  /// `coarse_label_names.txt` — with the checks ``load(_:from:labels:)`` makes.
  ///
  /// ```swift
  /// let names = try CIFARDataset.cifar100.decodeClassNames(
  ///   Data("apple\naquarium_fish\n…".utf8), source: "fine_label_names.txt")
  /// ```
  ///
  /// - Parameters:
  ///   - data: The file's bytes: UTF-8 text, at most 1 MiB, one name a line (trailing blank lines
  ///     and surrounding white space are ignored).
  ///   - source: Where the bytes came from (usually a path), used in error messages.
  ///   - labels: For CIFAR-100, which names (100 fine or 20 coarse); ignored for CIFAR-10.
  /// - Returns: The class names in label order.
  /// - Throws: ``DatasetError/malformedFile(file:reason:)`` naming `source` for text that is not
  ///   UTF-8, has a blank line between names or the wrong number of them.
  public func decodeClassNames(_ data: Data, source: String, labels: Labels = .fine) throws -> [String] {
    try Self.parseClassNames(data, source: source, expected: classCount(for: labels))
  }
}

extension CIFARDataset: DatasetFiles {
  /// `CIFAR-10` or `CIFAR-100`.
  public var displayName: String { self == .cifar10 ? "CIFAR-10" : "CIFAR-100" }

  /// `cifar-10` or `cifar-100`.
  public var folderName: String { rawValue }

  /// The missing files, image files shown as `name.bin[.gz]`.
  public func missingFileNames(in directory: URL) -> [String] {
    fileNames.filter { Self.location(of: $0, in: directory) == nil }.map { $0.hasSuffix(".bin") ? $0 + "[.gz]" : $0 }
  }

  /// None: the two datasets' files have different names.
  public var foldersSharingFileNames: [String] { [] }

  /// None: no package manager installs CIFAR.
  public var systemDirectories: [URL] { [] }

  /// ``DatasetError/cifarNotFound(dataset:searched:)``.
  public func notFoundError(searched: [String]) -> DatasetError { .cifarNotFound(dataset: self, searched: searched) }
}

/// Reads the records of one CIFAR `.bin` or `.bin.gz` file.
enum CIFARFile {
  /// Calls `body` with each record's pixels and chosen label, in file order, after checking the
  /// file is a whole, non-zero number of records and every label byte is in its range — all of
  /// them, not only the chosen one: a record with a bad coarse or fine label is corrupt whichever
  /// labels are used.
  ///
  /// - Parameters:
  ///   - url: The file.
  ///   - labelClassCounts: The number of classes of each label byte that starts a record.
  ///   - labelIndex: Which label byte `body` receives.
  ///   - body: Receives each record's 3,072 pixel bytes and its label.
  /// - Throws: ``IDXError`` for an unreadable file or a corrupt gzip stream,
  ///   ``DatasetError/malformedFile(file:reason:)`` or ``DatasetError/labelOutOfRange(file:index:value:classCount:)``.
  static func read(
    _ url: URL, labelClassCounts: [Int], using labelIndex: Int, _ body: (UnsafeRawBufferPointer, Int) -> Void
  ) throws {
    // A gzipped file is smaller than what it holds, so the decompressed limit bounds the file too.
    let data = try IDXFile.readFile(url, limit: CIFARDataset.maximumFileSize)
    try read(data, source: url.path, labelClassCounts: labelClassCounts, using: labelIndex, body)
  }

  /// Calls `body` with each record of a file's bytes (raw or gzipped), after the same checks as
  /// reading the file; `source` names the bytes in errors.
  static func read(
    _ data: Data, source: String, labelClassCounts: [Int], using labelIndex: Int,
    _ body: (UnsafeRawBufferPointer, Int) -> Void
  ) throws {
    func parseRecords(_ bytes: UnsafeRawBufferPointer) throws {
      try parse(bytes, source: source, labelClassCounts: labelClassCounts, using: labelIndex, body)
    }
    if Gzip.isCompressed(data) {
      try Gzip.decompress(data, source: source, limit: CIFARDataset.maximumFileSize).withUnsafeBytes(parseRecords)
    } else {
      guard data.count <= CIFARDataset.maximumFileSize else {
        throw IDXError.fileTooLarge(source: source, size: data.count, limit: CIFARDataset.maximumFileSize)
      }
      try data.withUnsafeBytes(parseRecords)
    }
  }

  /// Checks and walks the records of a file's (decompressed) bytes.
  static func parse(
    _ bytes: UnsafeRawBufferPointer, source: String, labelClassCounts: [Int], using labelIndex: Int,
    _ body: (UnsafeRawBufferPointer, Int) -> Void
  ) throws {
    let labelBytes = labelClassCounts.count, recordSize = labelBytes + CIFARDataset.imageSize
    let records = bytes.count / recordSize, leftover = bytes.count % recordSize
    guard records > 0, leftover == 0 else {
      throw DatasetError.malformedFile(
        file: source,
        reason: "holds \(bytes.count) bytes, which is not a whole, non-zero number of \(recordSize)-byte records "
          + "(\(records) records and \(leftover) bytes left over); the file is truncated or not in the CIFAR "
          + "binary layout"
      )
    }
    for record in 0..<records {
      let start = record * recordSize
      for (byte, classCount) in labelClassCounts.enumerated() where Int(bytes[start + byte]) >= classCount {
        throw DatasetError.labelOutOfRange(
          file: source, index: record, value: Int(bytes[start + byte]), classCount: classCount)
      }
      body(
        UnsafeRawBufferPointer(rebasing: bytes[(start + labelBytes)..<(start + recordSize)]),
        Int(bytes[start + labelIndex]))
    }
  }
}
