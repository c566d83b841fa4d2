import ContinualEngine

/// A set of images with one class label each: the unit every dataset and benchmark task is made of.
///
/// The pixels live once, in a store shared by every view of the dataset: bytes for images read
/// from files (MNIST, CIFAR, the built-in glyphs), floats for images made in memory. A set is a
/// view of that store — which images, in which order, and which rearrangement (padding, a pixel
/// permutation, a rotation, per-channel normalisation) — so subsets, class filters and the tasks
/// of a permuted or rotated benchmark copy no pixels. Floats are made one batch at a time by
/// ``inputs(at:augmentedBy:)``, with values `byte / 255` before any normalisation.
///
/// ```swift
/// let (train, test) = try IDXDataset.load(.mnist, from: directory)
/// let zerosAndOnes = train.filter(classes: [0, 1])
/// let batch = try zerosAndOnes.flattened().inputs(at: Array(0..<128))   // [128, 784]
/// ```
public struct LabelledImages: Sendable {
  /// The class of each image, each in `0..<classCount`.
  public private(set) var labels: [Int]
  /// A readable name for each class, indexed by label.
  public private(set) var classNames: [String]
  /// The shared pixels.
  let store: PixelStore
  /// The store's sample behind each image of this set; `nil` when they are the store's, in order.
  let rows: [Int]?
  /// What is done to each stored sample.
  let pipeline: PixelPipeline
  /// Whether samples are presented as vectors.
  let isFlattened: Bool

  /// The number of images.
  public var count: Int { labels.count }

  /// The number of classes (the length of ``classNames``).
  public var classCount: Int { classNames.count }

  /// The shape of one image, for example `[1, 28, 28]` (or `[784]` once ``flattened()``).
  public var sampleShape: [Int] {
    let shape = pipeline.outputShape
    return isFlattened ? [shape.reduce(1, *)] : shape
  }

  /// How many images each class has, indexed by label.
  public var classHistogram: [Int] {
    var histogram = [Int](repeating: 0, count: classCount)
    for label in labels { histogram[label] += 1 }
    return histogram
  }

  /// The memory the shared pixel store occupies, in bytes (the same for every view of it).
  public var storageByteCount: Int { store.byteCount }

  /// Whether the pixels are held as bytes (`true`) or as floats.
  public var storesBytes: Bool {
    if case .bytes = store.storage { return true }
    return false
  }

  /// Creates a labelled set from float images, checking that images and labels agree.
  ///
  /// - Parameters:
  ///   - inputs: The images, one per entry of the first dimension (rank at least 2).
  ///   - labels: The class of each image.
  ///   - classNames: A name per class; by default the labels' digits `"0"`, `"1"`, … up to the
  ///     largest label.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the counts differ or the
  ///   rank is below 2, ``DatasetError/labelOutOfRange(file:index:value:classCount:)`` for a label
  ///   outside `0..<classNames.count`.
  public init(inputs: Tensor, labels: [Int], classNames: [String]? = nil) throws {
    let operation = "LabelledImages(inputs:labels:classNames:)"
    guard inputs.rank >= 2 else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "inputs must have rank 2 or more ([count, …]), got shape \(inputs.shape)")
    }
    guard inputs.shape[0] == labels.count else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "inputs of shape \(inputs.shape) hold \(inputs.shape[0]) samples but \(labels.count) labels were given")
    }
    let names = try Self.checkedNames(classNames, labels: labels, operation: operation)
    self.init(store: PixelStore(floats: inputs), labels: labels, classNames: names)
  }

  /// Creates a labelled set from unsigned-byte pixels, held as they are; a network sees `byte / 255`.
  ///
  /// ```swift
  /// let images = try LabelledImages(pixels: bytes, sampleShape: [3, 32, 32], labels: labels, classNames: names)
  /// ```
  /// - Parameters:
  ///   - pixels: The images one after another, each in the layout of `sampleShape` (row-major, so
  ///     `[channels, height, width]` is plane after plane).
  ///   - sampleShape: The shape of one image, for example `[1, 28, 28]`.
  ///   - labels: The class of each image.
  ///   - classNames: A name per class; by default `"0"`, `"1"`, … up to the largest label.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the pixel count is not
  ///   `labels.count` images of `sampleShape`, or the shape is empty or has a non-positive size;
  ///   ``DatasetError/labelOutOfRange(file:index:value:classCount:)`` for a label outside the classes.
  public init(pixels: [UInt8], sampleShape: [Int], labels: [Int], classNames: [String]? = nil) throws {
    let operation = "LabelledImages(pixels:sampleShape:labels:classNames:)"
    guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }) else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "sample shape \(sampleShape) must have positive sizes")
    }
    let size = sampleShape.reduce(1, *)
    guard pixels.count == labels.count * size else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason:
          "\(pixels.count) pixel bytes do not make \(labels.count) images of shape \(sampleShape) "
          + "(\(labels.count * size) bytes)"
      )
    }
    let names = try Self.checkedNames(classNames, labels: labels, operation: operation)
    self.init(
      store: PixelStore(bytes: pixels, count: labels.count, sampleShape: sampleShape), labels: labels, classNames: names
    )
  }

  /// The class names given, or digits up to the largest label, after checking every label is one of them.
  private static func checkedNames(_ classNames: [String]?, labels: [Int], operation: String) throws -> [String] {
    let names = classNames ?? (0..<((labels.max() ?? -1) + 1)).map(String.init)
    if let index = labels.firstIndex(where: { $0 < 0 || $0 >= names.count }) {
      throw DatasetError.labelOutOfRange(file: operation, index: index, value: labels[index], classCount: names.count)
    }
    return names
  }

  /// A set showing every sample of `store` as it is.
  init(store: PixelStore, labels: [Int], classNames: [String]) {
    self.init(
      store: store, rows: nil, pipeline: PixelPipeline(inputShape: store.sampleShape), isFlattened: false,
      labels: labels, classNames: classNames)
  }

  /// A view whose consistency the caller has already established.
  init(store: PixelStore, rows: [Int]?, pipeline: PixelPipeline, isFlattened: Bool, labels: [Int], classNames: [String])
  {
    self.store = store
    self.rows = rows
    self.pipeline = pipeline
    self.isFlattened = isFlattened
    self.labels = labels
    self.classNames = classNames
  }

  /// The images at the given positions as one float tensor `[indices.count, …sampleShape]`, made
  /// from the stored pixels now.
  ///
  /// - Parameters:
  ///   - indices: Positions in `0..<count`, in the order wanted (repeats allowed).
  ///   - draws: One augmentation per position (see ``Augmentation/draws(count:using:)``), applied
  ///     before normalisation; `nil` for none.
  /// - Returns: The images; values are `byte / 255` (or the stored floats), then rearranged and
  ///   normalised as this set says.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for an index out of range, a
  ///   draw count that differs from the index count, or augmentation of samples that are not images.
  /// - Complexity: O(`indices.count` × sample size); nothing else is copied.
  public func inputs(at indices: [Int], augmentedBy draws: [Augmentation.Draw]? = nil) throws -> Tensor {
    let operation = "LabelledImages.inputs(at:)"
    if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
      throw DatasetError.invalidArgument(operation: operation, reason: "index \(bad) is outside 0..<\(count)")
    }
    if let draws {
      guard draws.count == indices.count else {
        throw DatasetError.invalidArgument(
          operation: operation, reason: "\(draws.count) augmentation draws for \(indices.count) images")
      }
      guard pipeline.outputShape.count == 3 else {
        throw DatasetError.invalidArgument(
          operation: operation,
          reason: "augmentation needs images [channels, height, width], but samples have shape \(pipeline.outputShape)")
      }
    }
    let size = sampleShape.reduce(1, *)
    let plan = pipeline.plan
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * plan.stageSize)
    defer { scratch.deallocate() }
    return Tensor(shape: [indices.count] + sampleShape) { buffer in
      for (k, index) in indices.enumerated() {
        plan.render(
          store, sample: rows?[index] ?? index, augmentation: draws?[k], into: buffer.baseAddress! + k * size,
          scratch: scratch)
      }
    }
  }

  /// Every image as one float tensor `[count, …sampleShape]`.
  ///
  /// This makes a float copy of the whole set: convenient for small sets and tests, but training
  /// and evaluation code should build batches with ``inputs(at:augmentedBy:)`` instead.
  public var inputs: Tensor { inputs(uncheckedAt: Array(0..<count)) }

  /// The images at the given positions, in that order (repeats allowed), with their labels.
  ///
  /// No pixels are copied: the subset is a view of the same store.
  ///
  /// - Parameter indices: Positions in `0..<count`.
  /// - Returns: A set of `indices.count` images with the same classes.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for an index out of range.
  /// - Complexity: O(`indices.count`).
  public func subset(_ indices: [Int]) throws -> LabelledImages {
    if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
      throw DatasetError.invalidArgument(
        operation: "LabelledImages.subset", reason: "index \(bad) is outside 0..<\(count)")
    }
    return uncheckedSubset(indices)
  }

  /// The images whose class is in `classes`, in their original order, keeping their labels.
  ///
  /// - Parameter classes: The labels to keep.
  /// - Returns: The matching images; labels and ``classNames`` are unchanged.
  public func filter(classes: Set<Int>) -> LabelledImages {
    uncheckedSubset(labels.indices.filter { classes.contains(labels[$0]) })
  }

  /// The same images with each flattened to a vector: samples of shape `[channels·height·width]`.
  ///
  /// - Returns: A set with rank-1 samples sharing this set's storage.
  public func flattened() -> LabelledImages {
    LabelledImages(
      store: store, rows: rows, pipeline: pipeline, isFlattened: true, labels: labels, classNames: classNames)
  }

  /// ``subset(_:)`` for indices known to be in range.
  func uncheckedSubset(_ indices: [Int]) -> LabelledImages {
    LabelledImages(
      store: store, rows: indices.map { rows?[$0] ?? $0 }, pipeline: pipeline, isFlattened: isFlattened,
      labels: indices.map { labels[$0] },
      classNames: classNames)
  }

  /// The same images with one more step applied to each.
  func appending(_ step: PixelPipeline.Step) -> LabelledImages {
    LabelledImages(
      store: store, rows: rows, pipeline: pipeline.appending(step), isFlattened: isFlattened, labels: labels,
      classNames: classNames)
  }

  /// The same images with new labels and class names (the caller keeps them consistent).
  func relabelled(_ labels: [Int], classNames: [String]) -> LabelledImages {
    LabelledImages(
      store: store, rows: rows, pipeline: pipeline, isFlattened: isFlattened, labels: labels, classNames: classNames)
  }
}

extension LabelledImages: Equatable {
  /// Equal when labels, class names and every image's values are equal. Two views of one store
  /// with the same images and steps are equal without building their pixels.
  public static func == (lhs: LabelledImages, rhs: LabelledImages) -> Bool {
    guard lhs.labels == rhs.labels, lhs.classNames == rhs.classNames, lhs.sampleShape == rhs.sampleShape else {
      return false
    }
    if lhs.store === rhs.store && lhs.pipeline == rhs.pipeline
      && (lhs.rows ?? Array(0..<lhs.store.count)) == (rhs.rows ?? Array(0..<rhs.store.count))
    {
      return true
    }
    return lhs.inputs == rhs.inputs
  }
}
