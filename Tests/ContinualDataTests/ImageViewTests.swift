import ContinualEngine
import Testing

@testable import ContinualData

/// Views of a byte store — subsets, padding, permutation, rotation, normalisation, augmentation —
/// against values worked out by hand or by the float reference, and the memory they share.
@Suite struct ImageViewTests {
  /// Two 1×2×2 images with bytes 0…7, labels 0 and 1.
  static func tiny() throws -> LabelledImages {
    try LabelledImages(pixels: Array(0..<8), sampleShape: [1, 2, 2], labels: [0, 1])
  }

  @Test func bytesBecomeByteOver255PerBatch() throws {
    let set = try Self.tiny()
    #expect(set.storesBytes)
    #expect(set.storageByteCount == 8)
    #expect(try set.inputs(at: [1, 0]).scalars == [4, 5, 6, 7, 0, 1, 2, 3].map { Float($0) / 255 })
    #expect(try set.inputs(at: [1]).shape == [1, 1, 2, 2])
    let error = #expect(throws: DatasetError.self) { try set.inputs(at: [2]) }
    #expect(error?.description.contains("index 2 is outside 0..<2") == true)
  }

  @Test func byteInitialiserChecksItsArguments() {
    let short = #expect(throws: DatasetError.self) {
      try LabelledImages(pixels: [1, 2, 3], sampleShape: [1, 2, 2], labels: [0])
    }
    #expect(short?.description.contains("3 pixel bytes do not make 1 images of shape [1, 2, 2]") == true)
    #expect(throws: DatasetError.self) { try LabelledImages(pixels: [], sampleShape: [0, 2], labels: []) }
    let label = #expect(throws: DatasetError.self) {
      try LabelledImages(pixels: [1, 2], sampleShape: [1], labels: [0, 3], classNames: ["a", "b"])
    }
    #expect(label?.description.contains("label 3 at index 1 is outside 0..<2") == true)
  }

  @Test func paddingCentresOnAZeroCanvas() throws {
    let padded = try Self.tiny().padded(toSide: 4)
    #expect(padded.sampleShape == [1, 4, 4])
    let b = { (v: Int) in Float(v) / 255 }
    // Image 0 (bytes 0 1 / 2 3) sits in rows 1–2, columns 1–2.
    #expect(try padded.inputs(at: [0]).scalars == [0, 0, 0, 0, 0, b(0), b(1), 0, 0, b(2), b(3), 0, 0, 0, 0, 0])
    #expect(throws: DatasetError.self) { try Self.tiny().padded(toSide: 1) }
  }

  @Test func permutationPicksSourcePixels() throws {
    let permuted = try Self.tiny().permutingPixels(by: [3, 0, 2, 1])
    // Output pixel k is input pixel permutation[k]: image 1 (4 5 6 7) becomes 7 4 6 5.
    #expect(try permuted.inputs(at: [1]).scalars == [7, 4, 6, 5].map { Float($0) / 255 })
    for bad in [[0, 1, 2], [0, 0, 1, 2], [0, 1, 2, 4]] {
      #expect(throws: DatasetError.self) { try Self.tiny().permutingPixels(by: bad) }
    }
  }

  /// Where the rotated pixels go is checked by hand in `TaskSequenceTests`; here, that a rotated
  /// view of bytes gives exactly the rotation of the same values held as floats.
  @Test func rotationIsTheSameOverBytesAndOverFloats() throws {
    let glyphs = SyntheticGlyphs.generate(trainCount: 6, testCount: 0, seed: 4).train
    let floats = try LabelledImages(inputs: glyphs.inputs, labels: glyphs.labels, classNames: glyphs.classNames)
    #expect(!floats.storesBytes)
    for angle in [0.0, 30, 90, 137.5] {
      #expect(try glyphs.rotated(degrees: angle).inputs == floats.rotated(degrees: angle).inputs, "angle \(angle)")
    }
    #expect(try glyphs.rotated(degrees: 0).inputs == glyphs.inputs)
    #expect(throws: DatasetError.self) { try glyphs.rotated(degrees: .nan) }
  }

  @Test func stepsComposeInOrderAndSubsetsOfViewsAreViews() throws {
    let glyphs = SyntheticGlyphs.generate(trainCount: 8, testCount: 0, seed: 5).train
    var rng = SeededGenerator(seed: 9)
    let permutation = rng.permutation(32 * 32)
    let view = try glyphs.padded(toSide: 32).permutingPixels(by: permutation)
    // Reference: pad and permute the floats of one image by hand.
    let original = try glyphs.inputs(at: [5]).scalars
    var padded = [Float](repeating: 0, count: 32 * 32)
    for row in 0..<28 { for column in 0..<28 { padded[(row + 2) * 32 + column + 2] = original[row * 28 + column] } }
    #expect(try view.inputs(at: [5]).scalars == permutation.map { padded[$0] })
    let subset = try view.subset([5, 2]).flattened()
    #expect(subset.sampleShape == [1024])
    #expect(subset.inputs.scalars == (try view.inputs(at: [5, 2]).scalars))
    #expect(subset.storageByteCount == glyphs.storageByteCount)
  }

  @Test func channelStatisticsAndNormalisationByHand() throws {
    // Two 2-channel 1×2 images. Channel 0 holds 0, 255, 0, 255 → mean ½, deviation ½;
    // channel 1 holds 51 everywhere → mean 0.2, deviation 0 (replaced by 1).
    let set = try LabelledImages(pixels: [0, 255, 51, 51, 0, 255, 51, 51], sampleShape: [2, 1, 2], labels: [0, 0])
    let statistics = set.channelStatistics()
    #expect(statistics.mean == [0.5, 0.2])
    #expect(statistics.deviation == [0.5, 1])
    let normalised = try set.normalised(statistics)
    #expect(normalised.normalisationStatistics == statistics)
    let values = try normalised.inputs(at: [0]).scalars
    #expect(values[0] == -1 && values[1] == 1)
    #expect(abs(values[2]) < 1e-7 && abs(values[3]) < 1e-7)
    #expect(throws: DatasetError.self) { try normalised.normalised(statistics) }
    #expect(throws: DatasetError.self) { try set.normalised(ChannelStatistics(mean: [0], deviation: [1])) }
    #expect(throws: DatasetError.self) { try set.normalised(ChannelStatistics(mean: [0, 0], deviation: [1, 0])) }
    // Statistics of a normalised set are those of its unnormalised values.
    #expect(normalised.channelStatistics() == statistics)
  }

  @Test func augmentationCropsAndFlipsByHand() throws {
    // One 1×3×3 image with bytes 1…9:   1 2 3 / 4 5 6 / 7 8 9.
    let set = try LabelledImages(pixels: Array(1...9), sampleShape: [1, 3, 3], labels: [0])
    let b = { (v: Int) in Float(v) / 255 }
    // The window moved down 1 and left 1: output (r, c) is input (r + 1, c − 1), zero outside.
    let shifted = Augmentation.Draw(rowShift: 1, columnShift: -1, flips: false)
    #expect(try set.inputs(at: [0], augmentedBy: [shifted]).scalars == [0, b(4), b(5), 0, b(7), b(8), 0, 0, 0])
    // The same window mirrored left to right.
    let mirrored = Augmentation.Draw(rowShift: 1, columnShift: -1, flips: true)
    #expect(try set.inputs(at: [0], augmentedBy: [mirrored]).scalars == [b(5), b(4), 0, b(8), b(7), 0, 0, 0, 0])
    let identity = Augmentation.Draw(rowShift: 0, columnShift: 0, flips: false)
    #expect(try set.inputs(at: [0], augmentedBy: [identity]) == set.inputs)
    #expect(throws: DatasetError.self) { try set.inputs(at: [0], augmentedBy: []) }
    // A flattened view augments the image, then presents it as a vector.
    #expect(
      try set.flattened().inputs(at: [0], augmentedBy: [mirrored]).scalars
        == (try set.inputs(at: [0], augmentedBy: [mirrored]).scalars))
    let vectors = try LabelledImages(inputs: Tensor.zeros([1, 4]), labels: [0])
    #expect(throws: DatasetError.self) { try vectors.inputs(at: [0], augmentedBy: [identity]) }
  }

  @Test func augmentationComesBeforeNormalisation() throws {
    // Padding is black in pixel space, so after normalisation it reads (0 − mean) / deviation.
    let set = try LabelledImages(pixels: Array(1...9), sampleShape: [1, 3, 3], labels: [0])
    let statistics = ChannelStatistics(mean: [0.5], deviation: [0.25])
    let normalised = try set.normalised(statistics)
    let draw = Augmentation.Draw(rowShift: -1, columnShift: 0, flips: false)
    let values = try normalised.inputs(at: [0], augmentedBy: [draw]).scalars
    #expect(values.prefix(3).allSatisfy { $0 == -2 })
    #expect(values[3] == (Float(1) / 255 - 0.5) / 0.25)
    // A step added after normalising still runs before it.
    let padded = try normalised.padded(toSide: 5)
    #expect(try padded.inputs(at: [0]).scalars[0] == -2)
  }

  @Test func drawsAreSeededAndWithinThePadding() {
    var first = SeededGenerator(seed: 3), second = SeededGenerator(seed: 3)
    let draws = Augmentation.standard.draws(count: 2_000, using: &first)!
    #expect(draws == Augmentation.standard.draws(count: 2_000, using: &second))
    #expect(draws.allSatisfy { (-4...4).contains($0.rowShift) && (-4...4).contains($0.columnShift) })
    #expect(Set(draws.map(\.rowShift)).count == 9 && Set(draws.map(\.columnShift)).count == 9)
    let flips = draws.filter(\.flips).count
    #expect((900...1100).contains(flips), "\(flips) flips in 2,000")
    var untouched = SeededGenerator(seed: 3)
    #expect(Augmentation.none.draws(count: 5, using: &untouched) == nil)
    var fresh = SeededGenerator(seed: 3)
    #expect(untouched.next() == fresh.next())
  }

  @Test(arguments: [("none", Augmentation.none), ("crop-flip", .standard), ("crop-flip:2", .cropAndFlip(padding: 2))])
  func augmentationNamesRoundTrip(name: String, augmentation: Augmentation) {
    #expect(Augmentation(name: name) == augmentation)
    #expect(augmentation.description == name)
  }

  @Test func unknownAugmentationNamesAreRejected() {
    for name in ["", "crop", "crop-flip:-1", "crop-flip:65", "flip"] {
      #expect(Augmentation(name: name) == nil, "\(name)")
    }
  }

  @Test func tasksShareOneStore() throws {
    let data = SyntheticGlyphs.generate(trainCount: 50, testCount: 20, seed: 1)
    let sequence = try TaskSequence.permuted(data, tasks: 100, padTo32: true, seed: 2)
    #expect(sequence.tasks.allSatisfy { $0.train.store === data.train.store && $0.test.store === data.test.store })
    let rotated = try TaskSequence.rotated(data, tasks: 7)
    #expect(rotated.tasks.allSatisfy { $0.train.store === data.train.store })
    let split = try TaskSequence.split(data, tasks: 5).subsample(trainPerTask: 4, testPerTask: nil, seed: 1)
    #expect(split.tasks.allSatisfy { $0.train.store === data.train.store && $0.train.count == 4 })
  }

  @Test func viewsAreEqualByValue() throws {
    let glyphs = SyntheticGlyphs.generate(trainCount: 6, testCount: 0, seed: 4).train
    let floats = try LabelledImages(inputs: glyphs.inputs, labels: glyphs.labels, classNames: glyphs.classNames)
    #expect(floats == glyphs)
    #expect(try glyphs.rotated(degrees: 10) == glyphs.rotated(degrees: 10))
    #expect(try glyphs.rotated(degrees: 10) != glyphs)
  }

  @Test func concatenationRenumbersTasks() throws {
    let data = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 1)
    let first = try TaskSequence.split(data, groups: [Array(0..<10)])
    let rest = try TaskSequence.split(data, tasks: 5)
    let joined = try TaskSequence.concatenating([first, rest], name: "both")
    #expect(joined.count == 6 && joined.tasks.map(\.index) == Array(0..<6))
    #expect(joined.classesPerTask == [10, 2, 2, 2, 2, 2])
    #expect(joined.tasks[3].sourceClasses == [4, 5])
    #expect(throws: DatasetError.self) { try TaskSequence.concatenating([], name: "none") }
  }
}
