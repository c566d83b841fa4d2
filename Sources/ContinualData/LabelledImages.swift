import ContinualEngine

/// A set of images with one class label each: the unit every dataset and benchmark task is made of.
///
/// Images are stored together as one tensor of shape `[count, channels, height, width]` with values in
/// `[0, 1]`; `labels[i]` is the class of image `i`, an index into ``classNames``.
///
/// ```swift
/// let (train, test) = try IDXDataset.load(.mnist, from: directory)
/// let zerosAndOnes = train.filter(classes: [0, 1])
/// let batch = try zerosAndOnes.subset(Array(0..<128)).flattened()   // inputs [128, 784]
/// ```
public struct LabelledImages: Sendable, Equatable {
  /// The images, shape `[count, channels, height, width]`, values in `[0, 1]`.
  public var inputs: Tensor
  /// The class of each image, each in `0..<classCount`.
  public var labels: [Int]
  /// A readable name for each class, indexed by label.
  public var classNames: [String]

  /// The number of images.
  public var count: Int { labels.count }

  /// The number of classes (the length of ``classNames``).
  public var classCount: Int { classNames.count }

  /// The shape of one image, for example `[1, 28, 28]` (or `[784]` once ``flattened()``).
  public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }

  /// How many images each class has, indexed by label.
  public var classHistogram: [Int] {
    var histogram = [Int](repeating: 0, count: classCount)
    for label in labels { histogram[label] += 1 }
    return histogram
  }

  /// Creates a labelled set, checking that images and labels agree.
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
      throw DatasetError.invalidArgument(operation: operation, reason: "inputs must have rank 2 or more ([count, …]), got shape \(inputs.shape)")
    }
    guard inputs.shape[0] == labels.count else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "inputs of shape \(inputs.shape) hold \(inputs.shape[0]) samples but \(labels.count) labels were given")
    }
    let names = classNames ?? (0..<((labels.max() ?? -1) + 1)).map(String.init)
    if let index = labels.firstIndex(where: { $0 < 0 || $0 >= names.count }) {
      throw DatasetError.labelOutOfRange(file: operation, index: index, value: labels[index], classCount: names.count)
    }
    self.init(unchecked: inputs, labels: labels, classNames: names)
  }

  /// Creates a labelled set whose consistency the caller has already established.
  init(unchecked inputs: Tensor, labels: [Int], classNames: [String]) {
    self.inputs = inputs
    self.labels = labels
    self.classNames = classNames
  }

  /// The images at the given positions, in that order (repeats allowed), with their labels.
  ///
  /// - Parameter indices: Positions in `0..<count`.
  /// - Returns: A set of `indices.count` images with the same classes.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` for an index out of range.
  /// - Complexity: O(`indices.count` × sample size).
  public func subset(_ indices: [Int]) throws -> LabelledImages {
    if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
      throw DatasetError.invalidArgument(operation: "LabelledImages.subset", reason: "index \(bad) is outside 0..<\(count)")
    }
    let gathered = try inputs.gather(indices: indices, alongAxis: 0)
    return LabelledImages(unchecked: gathered, labels: indices.map { labels[$0] }, classNames: classNames)
  }

  /// The images whose class is in `classes`, in their original order, keeping their labels.
  ///
  /// - Parameter classes: The labels to keep.
  /// - Returns: The matching images; labels and ``classNames`` are unchanged.
  public func filter(classes: Set<Int>) -> LabelledImages {
    uncheckedSubset(labels.indices.filter { classes.contains(labels[$0]) })
  }

  /// The same images with each flattened to a vector: inputs of shape `[count, channels·height·width]`.
  ///
  /// - Returns: A set with rank-2 inputs sharing this set's storage.
  public func flattened() -> LabelledImages {
    let width = sampleShape.reduce(1, *)
    do {
      return LabelledImages(unchecked: try inputs.reshaped([count, width]), labels: labels, classNames: classNames)
    } catch {
      preconditionFailure("flattening keeps the element count, so reshaping cannot fail: \(error)")
    }
  }

  /// ``subset(_:)`` for indices known to be in range.
  func uncheckedSubset(_ indices: [Int]) -> LabelledImages {
    do {
      return try subset(indices)
    } catch {
      preconditionFailure("internal indices are in range: \(error)")
    }
  }

  /// The same images with new inputs of the same count, keeping the labels.
  func replacingInputs(_ newInputs: Tensor) -> LabelledImages {
    LabelledImages(unchecked: newInputs, labels: labels, classNames: classNames)
  }
}
