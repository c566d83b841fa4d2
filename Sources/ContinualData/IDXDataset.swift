import ContinualEngine
import Foundation

/// A dataset distributed as four IDX files: MNIST or Fashion-MNIST.
///
/// Both have 60,000 training and 10,000 test images of 28×28 grey pixels in 10 classes, and the same
/// four file names. ``load(_:from:)`` reads them (gzipped or not) into ``LabelledImages`` of shape
/// `[count, 1, 28, 28]`, held as their bytes, with pixel values `byte / 255`:
///
/// ```swift
/// let directory = try DataDirectory.resolve(dataset: .mnist, explicit: nil)
/// let (train, test) = try IDXDataset.load(.mnist, from: directory)
/// print(train.count, test.count)   // 60000 10000
/// ```
public enum IDXDataset: String, Sendable, CaseIterable {
  /// LeCun, Cortes and Burges' handwritten digits.
  case mnist
  /// Zalando's Fashion-MNIST: photographs of clothing, a drop-in replacement for MNIST.
  case fashionMNIST = "fashion-mnist"

  /// One of the four files a dataset is distributed as.
  public enum File: String, Sendable, CaseIterable {
    /// The training images, `[60000, 28, 28]`.
    case trainImages = "train-images-idx3-ubyte"
    /// The training labels, `[60000]`.
    case trainLabels = "train-labels-idx1-ubyte"
    /// The test images, `[10000, 28, 28]`.
    case testImages = "t10k-images-idx3-ubyte"
    /// The test labels, `[10000]`.
    case testLabels = "t10k-labels-idx1-ubyte"

    /// The file's name without the optional `.gz` suffix.
    public var fileName: String { rawValue }

    /// The file in `directory`, preferring the gzipped `name.gz` to the raw `name` when both exist.
    ///
    /// - Parameter directory: The directory to look in.
    /// - Returns: The file's location, or `nil` when neither form is a regular file there.
    public func location(in directory: URL) -> URL? {
      firstRegularFile(named: [fileName + ".gz", fileName], in: directory)
    }
  }

  /// The number of classes of both datasets.
  public static let classCount = 10

  /// The most pixels (rows × columns) an image may have: 2²⁴, a 4096 × 4096 image. MNIST's have 784;
  /// a header claiming more is damaged, and later steps (a pixel permutation, a batch) would size
  /// buffers from it.
  public static let maximumImagePixels = 1 << 24

  /// The dataset's usual name, for messages and reports.
  public var displayName: String {
    switch self {
    case .mnist: return "MNIST"
    case .fashionMNIST: return "Fashion-MNIST"
    }
  }

  /// The name of the folder that holds the dataset inside a shared data directory.
  public var folderName: String { rawValue }

  /// The name of each class, indexed by label.
  public var classNames: [String] {
    switch self {
    case .mnist:
      return (0..<10).map(String.init)
    case .fashionMNIST:
      return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    }
  }

  /// Where the four gzipped files can be downloaded from (the canonical page first, then a mirror).
  public var downloadURLs: [String] {
    switch self {
    case .mnist:
      return ["https://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"]
    case .fashionMNIST:
      return [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist (data/fashion)",
      ]
    }
  }

  /// The Debian package that installs the dataset, if there is one.
  public var debianPackage: String? {
    switch self {
    case .mnist: return nil
    case .fashionMNIST: return "dataset-fashion-mnist"
    }
  }

  /// The files of the dataset missing from `directory`.
  ///
  /// - Parameter directory: The directory to look in.
  /// - Returns: The files found in neither raw nor gzipped form; empty when the directory holds the dataset.
  public static func missingFiles(in directory: URL) -> [File] {
    File.allCases.filter { $0.location(in: directory) == nil }
  }

  /// Loads a dataset's training and test sets from a directory holding its four files.
  ///
  /// Each file may be raw or gzipped (`name.gz`, preferred when both exist). Images must have rank 3
  /// (`[count, rows, columns]`, each image of 1 to ``maximumImagePixels`` pixels), labels rank 1 with
  /// values in `0..<10`, and each image file as many images as its label file has labels.
  ///
  /// - Parameters:
  ///   - dataset: Which dataset the files are (this sets the class names).
  ///   - directory: The directory holding the four files.
  /// - Returns: The training and test sets, inputs `[count, 1, rows, columns]` in `[0, 1]`.
  /// - Throws: ``DatasetError/missingFiles(dataset:directory:files:)`` when files are missing,
  ///   ``IDXError`` for a malformed file, and ``DatasetError`` for bad dimensions, labels or counts —
  ///   each naming the file.
  /// - Complexity: Linear in the size of the files; MNIST loads in a fraction of a second (release build).
  public static func load(_ dataset: IDXDataset, from directory: URL) throws -> (
    train: LabelledImages, test: LabelledImages
  ) {
    let missing = missingFiles(in: directory)
    guard missing.isEmpty else {
      throw DatasetError.missingFiles(
        dataset: dataset.displayName, directory: directory.path, files: missing.map(\.fileName))
    }
    func location(_ file: File) throws -> URL {
      guard let url = file.location(in: directory) else {
        throw DatasetError.missingFiles(dataset: dataset.displayName, directory: directory.path, files: [file.fileName])
      }
      return url
    }
    let train = try loadPair(
      images: location(.trainImages), labels: location(.trainLabels), classNames: dataset.classNames)
    let test = try loadPair(
      images: location(.testImages), labels: location(.testLabels), classNames: dataset.classNames)
    return (train, test)
  }

  /// Reads one image file and its label file into a labelled set.
  ///
  /// - Parameters:
  ///   - imagesURL: An IDX file of dimensions `[count, rows, columns]`.
  ///   - labelsURL: An IDX file of dimensions `[count]` with values in `0..<classNames.count`.
  ///   - classNames: The name of each class.
  /// - Returns: The images as `[count, 1, rows, columns]` with values `byte / 255`, and their labels.
  /// - Throws: ``IDXError`` or ``DatasetError`` naming the offending file.
  public static func loadPair(images imagesURL: URL, labels labelsURL: URL, classNames: [String]) throws
    -> LabelledImages
  {
    let images = try IDXFile.read(contentsOf: imagesURL)
    let labels = try IDXFile.read(contentsOf: labelsURL)
    return try labelledImages(
      images: images, imagesSource: imagesURL.path, labels: labels, labelsSource: labelsURL.path, classNames: classNames
    )
  }

  /// Pairs a decoded image file with its decoded label file, with the checks ``loadPair(images:labels:classNames:)``
  /// makes: for bytes that do not come from a folder (a download held in memory, a test).
  ///
  /// ```swift
  /// let images = try IDXFile.decode(imageBytes, source: "t10k-images-idx3-ubyte.gz")
  /// let labels = try IDXFile.decode(labelBytes, source: "t10k-labels-idx1-ubyte.gz")
  /// let test = try IDXDataset.labelledImages(
  ///   images: images, imagesSource: "t10k-images-idx3-ubyte.gz",
  ///   labels: labels, labelsSource: "t10k-labels-idx1-ubyte.gz",
  ///   classNames: IDXDataset.mnist.classNames)
  /// ```
  ///
  /// - Parameters:
  ///   - images: An IDX array of dimensions `[count, rows, columns]`.
  ///   - imagesSource: Where the images came from (usually a path), used in error messages.
  ///   - labels: An IDX array of dimensions `[count]` with values in `0..<classNames.count`.
  ///   - labelsSource: Where the labels came from, used in error messages.
  ///   - classNames: The name of each class.
  /// - Returns: The images as `[count, 1, rows, columns]` with values `byte / 255`, and their labels.
  /// - Throws: ``DatasetError/unexpectedDimensions(file:expected:dimensions:)`` for arrays of the
  ///   wrong rank or images of no pixels or more than ``maximumImagePixels``,
  ///   ``DatasetError/countMismatch(imagesFile:imageCount:labelsFile:labelCount:)`` or
  ///   ``DatasetError/labelOutOfRange(file:index:value:classCount:)`` naming the offending source.
  public static func labelledImages(
    images: IDXArray, imagesSource: String, labels: IDXArray, labelsSource: String, classNames: [String]
  ) throws -> LabelledImages {
    guard images.dimensions.count == 3 else {
      throw DatasetError.unexpectedDimensions(
        file: imagesSource, expected: "3 dimensions [count, rows, columns]", dimensions: images.dimensions)
    }
    guard labels.dimensions.count == 1 else {
      throw DatasetError.unexpectedDimensions(
        file: labelsSource, expected: "1 dimension [count]", dimensions: labels.dimensions)
    }
    let (rows, columns) = (images.dimensions[1], images.dimensions[2])
    guard rows >= 1, columns >= 1, rows <= maximumImagePixels / columns else {
      throw DatasetError.unexpectedDimensions(
        file: imagesSource, expected: "images of 1 to \(maximumImagePixels) pixels (rows × columns, neither 0)",
        dimensions: images.dimensions)
    }
    guard images.dimensions[0] == labels.dimensions[0] else {
      throw DatasetError.countMismatch(
        imagesFile: imagesSource, imageCount: images.dimensions[0], labelsFile: labelsSource,
        labelCount: labels.dimensions[0])
    }
    if let index = labels.bytes.firstIndex(where: { Int($0) >= classNames.count }) {
      throw DatasetError.labelOutOfRange(
        file: labelsSource, index: index, value: Int(labels.bytes[index]), classCount: classNames.count)
    }
    let store = PixelStore(bytes: images.bytes, count: images.dimensions[0], sampleShape: [1, rows, columns])
    return LabelledImages(store: store, labels: labels.bytes.map { Int($0) }, classNames: classNames)
  }
}
