import ContinualEngine

/// Random training-time changes to images: the standard CIFAR recipe of a random crop from the
/// image padded with zeros, then a horizontal flip with probability ½.
///
/// Augmentation is applied when a training batch is built, to the image as the dataset gives it
/// (after padding, permutation or rotation) and *before* per-channel normalisation, as
/// torchvision's `RandomCrop(32, padding: 4)`, `RandomHorizontalFlip()`, `Normalize(…)` do: the
/// padding is black, not the mean. Every draw comes from a seeded generator, so the same seed gives
/// the same augmented batches. Evaluation batches are never augmented.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let draws = Augmentation.cropAndFlip(padding: 4).draws(count: 128, using: &rng)
/// let inputs = try task.train.inputs(at: indices, augmentedBy: draws)
/// ```
public enum Augmentation: Sendable, Equatable, CustomStringConvertible {
  /// No augmentation.
  case none
  /// A random crop of the image's size from the image padded by `padding` zero pixels on every
  /// side, then a left-right flip with probability ½.
  case cropAndFlip(padding: Int)

  /// The standard CIFAR recipe: 4-pixel padding.
  public static let standard = Augmentation.cropAndFlip(padding: 4)

  /// What one image's augmentation does: its window offset and whether it is mirrored.
  public struct Draw: Sendable, Equatable {
    /// Rows the crop window is moved down by (negative: up); rows from outside the image are zero.
    public var rowShift: Int
    /// Columns the crop window is moved right by (negative: left).
    public var columnShift: Int
    /// Whether the crop is mirrored left to right.
    public var flips: Bool

    /// Creates a draw.
    public init(rowShift: Int, columnShift: Int, flips: Bool) {
      self.rowShift = rowShift
      self.columnShift = columnShift
      self.flips = flips
    }
  }

  /// The name used on the command line and in run records: `none` or `crop-flip` (with the padding
  /// when it is not 4, as `crop-flip:2`).
  public var description: String {
    switch self {
    case .none: return "none"
    case .cropAndFlip(let padding): return padding == 4 ? "crop-flip" : "crop-flip:\(padding)"
    }
  }

  /// Parses a name written by ``description``; `nil` when the name is not one of them.
  ///
  /// - Parameter name: `none`, `crop-flip` or `crop-flip:P` with `P` from 0 to 64.
  public init?(name: String) {
    if name == "none" {
      self = .none
    } else if name == "crop-flip" {
      self = .standard
    } else if name.hasPrefix("crop-flip:"), let padding = Int(name.dropFirst("crop-flip:".count)),
      (0...64).contains(padding)
    {
      self = .cropAndFlip(padding: padding)
    } else {
      return nil
    }
  }

  /// Draws the augmentation of `count` images, one after another; `nil` for ``none``.
  ///
  /// Each image draws its row offset, then its column offset (each uniform in `-padding...padding`),
  /// then its flip.
  ///
  /// - Parameters:
  ///   - count: The number of images.
  ///   - rng: The generator the draws come from (left untouched for ``none``).
  /// - Returns: One draw per image, or `nil` when there is nothing to apply.
  public func draws(count: Int, using rng: inout SeededGenerator) -> [Draw]? {
    guard case .cropAndFlip(let padding) = self else { return nil }
    return (0..<count).map { _ in
      let row = rng.nextInt(below: 2 * padding + 1) - padding
      let column = rng.nextInt(below: 2 * padding + 1) - padding
      return Draw(rowShift: row, columnShift: column, flips: rng.nextInt(below: 2) == 1)
    }
  }
}
