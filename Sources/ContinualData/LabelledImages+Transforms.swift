import ContinualEngine

extension LabelledImages {
  /// The images centred on a `side`×`side` zero canvas (2 px each side for 28×28 to 32×32).
  ///
  /// Nothing is copied: each image is padded when its batch is built.
  ///
  /// - Parameter side: The canvas side, at least the images' height and width.
  /// - Returns: A view with samples `[channels, side, side]`.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the samples are not images
  ///   or are larger than the canvas.
  public func padded(toSide side: Int) throws -> LabelledImages {
    let shape = try imageShape(operation: "LabelledImages.padded(toSide:)")
    guard shape[1] <= side, shape[2] <= side else {
      throw DatasetError.invalidArgument(
        operation: "LabelledImages.padded(toSide:)",
        reason: "cannot pad \(shape[1])×\(shape[2]) images to \(side)×\(side)")
    }
    return appending(.pad(side: side))
  }

  /// The images with their pixels rearranged: pixel `k` of every plane becomes pixel
  /// `permutation[k]` of the original (pixels numbered row by row).
  ///
  /// - Parameter permutation: A permutation of `0..<height·width`.
  /// - Returns: A view with the same shape.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the samples are not images
  ///   or `permutation` is not a permutation of the plane's pixels.
  public func permutingPixels(by permutation: [Int]) throws -> LabelledImages {
    let operation = "LabelledImages.permutingPixels(by:)"
    let shape = try imageShape(operation: operation)
    let planeSize = shape[1] * shape[2]
    var seen = Set<Int>()
    guard permutation.count == planeSize,
      permutation.allSatisfy({ (0..<planeSize).contains($0) && seen.insert($0).inserted })
    else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "the permutation is not a permutation of the \(planeSize) pixels of a plane")
    }
    return appending(.permute(permutation))
  }

  /// The images rotated counter-clockwise (as displayed, rows running down) by `degrees` about
  /// their centre, sampled bilinearly; pixels that come from outside the image are zero.
  ///
  /// - Parameter degrees: The angle; must be finite.
  /// - Returns: A view with the same shape.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the samples are not images
  ///   or the angle is not finite.
  public func rotated(degrees: Double) throws -> LabelledImages {
    let operation = "LabelledImages.rotated(degrees:)"
    let shape = try imageShape(operation: operation)
    guard degrees.isFinite else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "angle \(degrees) is not a finite number of degrees")
    }
    return appending(.rotate(ImageGeometry.Rotation(degrees: degrees, height: shape[1], width: shape[2])))
  }

  /// The images with channel `c` shifted by `−mean[c]` and divided by `deviation[c]`, the last step
  /// before a network sees them (augmentation comes before it).
  ///
  /// ```swift
  /// let statistics = train.channelStatistics()
  /// let normalisedTrain = try train.normalised(statistics)
  /// ```
  /// - Parameter statistics: One mean and one standard deviation per channel.
  /// - Returns: A view with the same shape.
  /// - Throws: ``DatasetError/invalidArgument(operation:reason:)`` when the samples are not images,
  ///   the counts differ from the channel count, the set is already normalised, or a deviation is
  ///   not positive and finite.
  public func normalised(_ statistics: ChannelStatistics) throws -> LabelledImages {
    let operation = "LabelledImages.normalised(_:)"
    let shape = try imageShape(operation: operation)
    guard statistics.mean.count == shape[0], statistics.deviation.count == shape[0] else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "\(statistics.mean.count) means and \(statistics.deviation.count) deviations for \(shape[0]) channels")
    }
    guard pipeline.normalisation == nil else {
      throw DatasetError.invalidArgument(operation: operation, reason: "the images are already normalised")
    }
    guard statistics.mean.allSatisfy(\.isFinite), statistics.deviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
      throw DatasetError.invalidArgument(
        operation: operation, reason: "means must be finite and deviations positive, got \(statistics)")
    }
    return appending(.normalise(mean: statistics.mean, deviation: statistics.deviation))
  }

  /// The mean and standard deviation of each channel's values over every image of the set, as the
  /// network would see them without normalisation (`byte / 255`, after padding or rotation).
  ///
  /// Computed in double precision over the whole set, 512 images at a time.
  ///
  /// - Returns: The statistics. An empty set gives zero means and unit deviations, and a constant
  ///   channel a deviation of 1, so normalising by them is always defined.
  /// - Complexity: O(`count` × sample size).
  public func channelStatistics() -> ChannelStatistics {
    let shape = pipeline.outputShape
    let channels = shape.count == 3 ? shape[0] : 1
    let planeSize = shape.reduce(1, *) / channels
    var sums = [Double](repeating: 0, count: channels), squares = sums
    let unnormalised = LabelledImages(
      store: store, rows: rows, pipeline: pipeline.withoutNormalisation, isFlattened: false, labels: labels,
      classNames: classNames)
    let batch = 512
    for start in stride(from: 0, to: count, by: batch) {
      let values = unnormalised.inputs(uncheckedAt: Array(start..<min(start + batch, count)))
      values.withUnsafeBufferPointer { values in
        for sample in 0..<(values.count / (channels * planeSize)) {
          for channel in 0..<channels {
            let base = (sample * channels + channel) * planeSize
            var sum = 0.0, square = 0.0
            for k in base..<(base + planeSize) {
              let v = Double(values[k])
              sum += v
              square += v * v
            }
            sums[channel] += sum
            squares[channel] += square
          }
        }
      }
    }
    let n = Double(count * planeSize)
    guard n > 0 else {
      return ChannelStatistics(
        mean: [Float](repeating: 0, count: channels), deviation: [Float](repeating: 1, count: channels))
    }
    let means = sums.map { $0 / n }
    let deviations = zip(squares, means).map { square, mean in max(square / n - mean * mean, 0).squareRoot() }
    return ChannelStatistics(mean: means.map { Float($0) }, deviation: deviations.map { $0 > 0 ? Float($0) : 1 })
  }

  /// The per-channel statistics the images are normalised by, or `nil` when they are not.
  public var normalisationStatistics: ChannelStatistics? {
    pipeline.normalisation.map { ChannelStatistics(mean: $0.mean, deviation: $0.deviation) }
  }

  /// ``inputs(at:augmentedBy:)`` for positions known to be valid.
  func inputs(uncheckedAt indices: [Int]) -> Tensor {
    do {
      return try inputs(at: indices)
    } catch {
      preconditionFailure("internal positions are in range: \(error)")
    }
  }

  /// The image shape `[channels, height, width]` of the samples, or an error naming `operation`.
  private func imageShape(operation: String) throws -> [Int] {
    let shape = pipeline.outputShape
    guard shape.count == 3, !isFlattened else {
      throw DatasetError.invalidArgument(
        operation: operation,
        reason: "samples must be images [channels, height, width], got sample shape \(sampleShape)")
    }
    return shape
  }
}

/// The mean and standard deviation of each channel of a dataset, for per-channel normalisation.
///
/// ```swift
/// let statistics = train.channelStatistics()   // CIFAR-10: means ≈ [0.49, 0.48, 0.45]
/// ```
public struct ChannelStatistics: Sendable, Equatable, CustomStringConvertible {
  /// The mean of each channel.
  public var mean: [Float]
  /// The standard deviation of each channel.
  public var deviation: [Float]

  /// Creates statistics from one mean and one deviation per channel.
  public init(mean: [Float], deviation: [Float]) {
    self.mean = mean
    self.deviation = deviation
  }

  /// The values with four decimals, as `mean [0.4914, …], std [0.2470, …]`.
  public var description: String {
    func list(_ values: [Float]) -> String { "[" + values.map { formatted($0) }.joined(separator: ", ") + "]" }
    return "mean \(list(mean)), std \(list(deviation))"
  }

  private func formatted(_ value: Float) -> String {
    let scaled = (Double(value) * 10_000).rounded()
    let sign = scaled < 0 ? "-" : ""
    let magnitude = Int(abs(scaled))
    let fraction = String(magnitude % 10_000)
    return "\(sign)\(magnitude / 10_000).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
  }
}
