import ContinualData
import MyBenchmarks
import Testing

/// The package's own data: shape, labels, and the same images for the same seed.
@Suite struct StripesTests {
  /// 4 classes of `perClass` images of 1×8×8, in class order, the bar brighter than the noise.
  @Test func imagesHaveTheirClassesBar() throws {
    let images = try Stripes.images(perClass: 3, seed: 7)
    #expect(images.count == 12 && images.sampleShape == [1, 8, 8])
    #expect(images.labels == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    #expect(images.classNames == Stripes.classNames)
  }

  /// The same seed gives the same images; another seed other noise.
  @Test func theSeedFixesTheNoise() throws {
    #expect(try Stripes.images(perClass: 2, seed: 1) == Stripes.images(perClass: 2, seed: 1))
    #expect(try Stripes.images(perClass: 2, seed: 1) != Stripes.images(perClass: 2, seed: 2))
  }
}
