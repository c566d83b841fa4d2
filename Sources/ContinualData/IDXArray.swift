/// The contents of an IDX file of unsigned bytes: its dimensions and its elements in row-major order.
///
/// ```swift
/// let images = try IDXFile.read(contentsOf: url)   // dimensions [60000, 28, 28]
/// let firstPixel = images.bytes[0]
/// ```
public struct IDXArray: Sendable, Equatable {
  /// The size of each dimension, outermost first (for MNIST images `[count, rows, columns]`).
  public var dimensions: [Int]
  /// The elements in row-major order; there are `dimensions.reduce(1, *)` of them.
  public var bytes: [UInt8]

  /// Creates an array from its dimensions and elements.
  ///
  /// - Parameters:
  ///   - dimensions: The size of each dimension, outermost first.
  ///   - bytes: The elements in row-major order.
  public init(dimensions: [Int], bytes: [UInt8]) {
    self.dimensions = dimensions
    self.bytes = bytes
  }
}
