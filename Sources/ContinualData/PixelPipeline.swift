/// The rearrangements and scalings a view applies to each stored image when a batch is built.
///
/// A view of a dataset (a permuted task, a rotated task, a normalised CIFAR set) never copies the
/// dataset: it keeps the shared ``PixelStore`` and this list of steps, applied sample by sample in
/// order. Padding, permutation and rotation compute exactly the arithmetic the eager builders
/// always did on the `byte / 255` floats, so results are bit-identical to the copies they replace.
struct PixelPipeline: Sendable, Equatable {
  /// One step, acting on an image `[channels, height, width]`.
  enum Step: Sendable, Equatable {
    /// Centres the image on a `side`×`side` zero canvas.
    case pad(side: Int)
    /// Output pixel `k` of each plane is input pixel `permutation[k]`.
    case permute([Int])
    /// A bilinear rotation about the centre.
    case rotate(ImageGeometry.Rotation)
    /// Subtracts `mean[c]` from channel `c` and divides by `deviation[c]`.
    case normalise(mean: [Float], deviation: [Float])
  }

  /// The steps, first to last.
  var steps: [Step] = []
  /// The shape of a stored sample.
  let inputShape: [Int]

  /// The shape of a sample after every step.
  var outputShape: [Int] {
    steps.reduce(inputShape) { shape, step in
      if case .pad(let side) = step { return [shape[0], side, side] }
      return shape
    }
  }

  /// Whether the pipeline ends by normalising (augmentation must come before that step).
  var normalisation: (mean: [Float], deviation: [Float])? {
    if case .normalise(let mean, let deviation) = steps.last { return (mean, deviation) }
    return nil
  }

  /// The pipeline followed by `step`, kept in the order augmentation needs: normalisation last.
  func appending(_ step: Step) -> PixelPipeline {
    var result = self
    if case .normalise = step {
      result.steps.append(step)
    } else if let last = result.steps.last, case .normalise = last {
      result.steps.insert(step, at: result.steps.count - 1)
    } else {
      result.steps.append(step)
    }
    return result
  }

  /// The largest number of values any stage of the pipeline holds for one sample.
  var largestStage: Int {
    var shape = inputShape, largest = inputShape.reduce(1, *)
    for step in steps {
      if case .pad(let side) = step { shape = [shape[0], side, side] }
      largest = max(largest, shape.reduce(1, *))
    }
    return largest
  }

  /// Renders sample `index` of `store` into `output`, applying every step and, before the
  /// normalisation, the sample's augmentation.
  ///
  /// `scratch` must hold two buffers of ``largestStage`` values each.
  func render(
    _ store: PixelStore, sample index: Int, augmentation: Augmentation.Draw?, into output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    if steps.isEmpty && augmentation == nil {
      store.read(index, into: output)
      return
    }
    let stage = largestStage
    var current = scratch, spare = scratch + stage
    store.read(index, into: current)
    var shape = inputShape
    func apply(_ transform: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> [Int]) {
      shape = transform(current, spare)
      swap(&current, &spare)
    }
    for (position, step) in steps.enumerated() {
      if position == steps.count - 1, case .normalise = step, let augmentation {
        apply { ImageGeometry.augment($0, shape: shape, with: augmentation, into: $1) }
      }
      switch step {
      case .pad(let side): apply { ImageGeometry.pad($0, shape: shape, toSide: side, into: $1) }
      case .permute(let permutation): apply { ImageGeometry.permute($0, shape: shape, by: permutation, into: $1) }
      case .rotate(let rotation): apply { rotation.apply($0, shape: shape, into: $1) }
      case .normalise(let mean, let deviation): apply { ImageGeometry.normalise($0, shape: shape, mean: mean, deviation: deviation, into: $1) }
      }
    }
    if let augmentation, normalisation == nil {
      apply { ImageGeometry.augment($0, shape: shape, with: augmentation, into: $1) }
    }
    output.update(from: current, count: shape.reduce(1, *))
  }
}
