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

    /// The shape of an image after this step, given its shape before.
    func shape(after input: [Int]) -> [Int] {
      if case .pad(let side) = self { return [input[0], side, side] }
      return input
    }
  }

  /// The steps, first to last; a normalisation is always the last.
  var steps: [Step] = []
  /// The shape of a stored sample.
  let inputShape: [Int]

  /// The shape of a sample after every step.
  var outputShape: [Int] { steps.reduce(inputShape) { $1.shape(after: $0) } }

  /// The per-channel statistics of the final normalisation, if the pipeline ends with one.
  var normalisation: (mean: [Float], deviation: [Float])? {
    if case .normalise(let mean, let deviation) = steps.last { return (mean, deviation) }
    return nil
  }

  /// The same pipeline without its normalisation: the values before it.
  var withoutNormalisation: PixelPipeline {
    var result = self
    if normalisation != nil { result.steps.removeLast() }
    return result
  }

  /// The pipeline followed by `step`, kept in the order augmentation needs: normalisation last.
  func appending(_ step: Step) -> PixelPipeline {
    var result = self
    if case .normalise = step {
      result.steps.append(step)
    } else {
      result.steps.insert(step, at: normalisation == nil ? steps.count : steps.count - 1)
    }
    return result
  }

  /// Everything ``render(_:sample:augmentation:into:scratch:)`` needs that does not change from
  /// sample to sample, worked out once per batch.
  struct Plan {
    /// The steps, first to last.
    let steps: [Step]
    /// The shape of the image before each step, and after the last one (`steps.count + 1` shapes).
    let shapes: [[Int]]
    /// The position at which augmentation is applied: before the normalisation, else after every step.
    let augmentationPosition: Int
    /// The values one of the two scratch buffers must hold: the largest stage of the pipeline.
    let stageSize: Int
  }

  /// The plan of this pipeline.
  var plan: Plan {
    var shapes = [inputShape]
    for step in steps { shapes.append(step.shape(after: shapes[shapes.count - 1])) }
    return Plan(
      steps: steps, shapes: shapes, augmentationPosition: normalisation == nil ? steps.count : steps.count - 1,
      stageSize: shapes.map { $0.reduce(1, *) }.max() ?? 0)
  }
}

extension PixelPipeline.Plan {
  /// Renders sample `index` of `store` into `output`, applying every step and, before the
  /// normalisation, the sample's augmentation.
  ///
  /// `scratch` must hold two buffers of ``stageSize`` values each.
  func render(
    _ store: PixelStore, sample index: Int, augmentation: Augmentation.Draw?, into output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    if steps.isEmpty && augmentation == nil {
      store.read(index, into: output)
      return
    }
    var current = scratch, spare = scratch + stageSize
    store.read(index, into: current)
    for position in 0...steps.count {
      let shape = shapes[position]
      if position == augmentationPosition, let augmentation {
        ImageGeometry.augment(current, shape: shape, with: augmentation, into: spare)
        swap(&current, &spare)
      }
      guard position < steps.count else { break }
      switch steps[position] {
      case .pad(let side): ImageGeometry.pad(current, shape: shape, toSide: side, into: spare)
      case .permute(let permutation): ImageGeometry.permute(current, shape: shape, by: permutation, into: spare)
      case .rotate(let rotation): rotation.apply(current, shape: shape, into: spare)
      case .normalise(let mean, let deviation):
        ImageGeometry.normalise(current, shape: shape, mean: mean, deviation: deviation, into: spare)
      }
      swap(&current, &spare)
    }
    output.update(from: current, count: shapes[steps.count].reduce(1, *))
  }
}
