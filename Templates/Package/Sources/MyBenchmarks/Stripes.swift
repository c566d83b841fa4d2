import ContinualData

/// A small dataset of your own, made in code: 8×8 grey images of one bright bar on dim noise. Class
/// `k` of 4 is a bar in row 2 (`k = 0`), row 5 (1), column 2 (2) or column 5 (3), so a split into two
/// tasks asks to tell rows apart, then columns.
///
/// Data read from files comes in the same way: decode it into bytes, one image after another, and
/// call `LabelledImages(pixels:sampleShape:labels:classNames:)` (a folder of PNGs, an `.npy`, …).
///
/// ```swift
/// let train = try Stripes.images(perClass: 300, seed: 1)   // 1 200 images of shape [1, 8, 8]
/// ```
public enum Stripes {
  /// The class names, by label.
  public static let classNames = ["row 2", "row 5", "column 2", "column 5"]

  /// `perClass` images of each class, in class order, with noise from `seed`.
  ///
  /// - Parameters:
  ///   - perClass: How many images of each class.
  ///   - seed: The noise's seed: the same seed gives the same images.
  /// - Returns: The images, labelled 0…3.
  /// - Throws: `DatasetError` when `perClass` is not positive.
  public static func images(perClass: Int, seed: UInt64) throws -> LabelledImages {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var pixels: [UInt8] = []
    var labels: [Int] = []
    for label in 0..<classNames.count {
      for _ in 0..<max(perClass, 0) {
        for row in 0..<8 {
          for column in 0..<8 {
            // xorshift64: dim noise in 0..<64 everywhere, the bar bright.
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let onBar = label < 2 ? row == [2, 5][label] : column == [2, 5][label - 2]
            pixels.append(onBar ? 192 + UInt8(state % 64) : UInt8(state % 64))
          }
        }
        labels.append(label)
      }
    }
    return try LabelledImages(pixels: pixels, sampleShape: [1, 8, 8], labels: labels, classNames: classNames)
  }
}
