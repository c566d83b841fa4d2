import ContinualEngine
import Testing

@testable import ContinualData

@Suite struct LabelledImagesTests {
  @Test func validatesInputsAndLabels() throws {
    let inputs = Tensor.zeros([3, 1, 2, 2])
    #expect(try LabelledImages(inputs: inputs, labels: [0, 4, 2]).classNames == ["0", "1", "2", "3", "4"])
    let outOfRange = #expect(throws: DatasetError.self) {
      try LabelledImages(inputs: inputs, labels: [0, 1, 2], classNames: ["a", "b"])
    }
    #expect(outOfRange?.description.contains("label 2 at index 2 is outside 0..<2") == true)
    #expect(throws: DatasetError.self) { try LabelledImages(inputs: inputs, labels: [0, 1]) }
    #expect(throws: DatasetError.self) { try LabelledImages(inputs: Tensor.zeros([3]), labels: [0, 1, 2]) }
  }

  @Test func subsetGathersImagesAndLabels() throws {
    let set = try Fixtures.images(count: 6)
    let subset = try set.subset([4, 1, 4])
    #expect(subset.labels == [4, 1, 4])
    #expect(Fixtures.pixels(of: subset, at: 0) == Fixtures.pixels(of: set, at: 4))
    #expect(Fixtures.pixels(of: subset, at: 1) == Fixtures.pixels(of: set, at: 1))
    let error = #expect(throws: DatasetError.self) { try set.subset([0, 6]) }
    #expect(error?.description.contains("index 6 is outside 0..<6") == true)
  }

  @Test func filterKeepsOrderAndLabels() throws {
    let set = try Fixtures.images(count: 25)
    let kept = set.filter(classes: [3, 7])
    #expect(kept.labels == [3, 7, 3, 7, 3])
    #expect(Fixtures.pixels(of: kept, at: 1) == Fixtures.pixels(of: set, at: 7))
    #expect(kept.classCount == 10)
    #expect(set.filter(classes: []).count == 0)
  }

  @Test func flattenedIsRankTwo() throws {
    let set = try Fixtures.images(count: 5, side: 4)
    let flat = set.flattened()
    #expect(flat.inputs.shape == [5, 16])
    #expect(flat.sampleShape == [16])
    #expect(flat.inputs.scalars == set.inputs.scalars)
    #expect(set.filter(classes: []).flattened().inputs.shape == [0, 16])
  }

  @Test func stratifiedSampleIsBalancedAndDeterministic() throws {
    let set = try Fixtures.images(count: 100, classes: 4)
    var rng = SeededGenerator(seed: 3)
    let sample = try set.stratifiedSample(10, using: &rng)
    #expect(sample.classHistogram == [3, 3, 2, 2])
    var again = SeededGenerator(seed: 3)
    #expect(try set.stratifiedSample(10, using: &again) == sample)
    #expect(try set.stratifiedSample(1_000, using: &rng) == set)
    #expect(throws: DatasetError.self) { try set.stratifiedSample(-1, using: &rng) }
  }
}
