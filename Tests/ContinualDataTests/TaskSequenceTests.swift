import ContinualEngine
import Testing

@testable import ContinualData

@Suite struct TaskSequenceTests {
  static let base = SyntheticGlyphs.generate(trainCount: 30, testCount: 10, seed: 5)

  /// A base whose every training and test image is the same ramp of distinct pixel values, so a
  /// permutation's effect can be read off the pixels.
  static func rampBase(side: Int = 28) throws -> (train: LabelledImages, test: LabelledImages) {
    let pixels = side * side
    let ramp = (0..<pixels).map { Float($0 + 1) / Float(pixels) }
    func set(_ count: Int) throws -> LabelledImages {
      try LabelledImages(
        inputs: Tensor(shape: [count, 1, side, side], scalars: Array((0..<count).map { _ in ramp }.joined())),
        labels: (0..<count).map { $0 % 2 }, classNames: ["0", "1"])
    }
    return (try set(4), try set(2))
  }

  // MARK: - Permuted

  @Test func permutedTasksPermuteEachImagesPixels() throws {
    let sequence = try TaskSequence.permuted(Self.base, tasks: 3, seed: 1)
    #expect(sequence.count == 3 && sequence.name == "permuted")
    #expect(sequence.tasks.map(\.name) == ["original", "permutation 1", "permutation 2"])
    #expect(sequence.tasks.map(\.index) == [0, 1, 2])
    #expect(sequence.classesPerTask == [10, 10, 10])
    #expect(sequence.sampleShape == [1, 28, 28])
    #expect(sequence.tasks[0].train == Self.base.train)
    #expect(sequence.tasks[0].test == Self.base.test)
    for task in sequence.tasks.dropFirst() {
      #expect(task.sourceClasses == Array(0..<10))
      #expect(task.train.labels == Self.base.train.labels)
      #expect(task.train.inputs != Self.base.train.inputs)
      for (set, original) in [(task.train, Self.base.train), (task.test, Self.base.test)] {
        for image in 0..<original.count {
          #expect(Fixtures.pixels(of: set, at: image).sorted() == Fixtures.pixels(of: original, at: image).sorted())
        }
      }
    }
    #expect(sequence.tasks[1].train.inputs != sequence.tasks[2].train.inputs)
  }

  @Test func permutedTasksUseOnePermutationForTrainingAndTest() throws {
    let sequence = try TaskSequence.permuted(try Self.rampBase(), tasks: 3, permuteFirstTask: true, seed: 9)
    for task in sequence.tasks {
      let permuted = Fixtures.pixels(of: task.train, at: 0)
      #expect(Fixtures.pixels(of: task.test, at: 1) == permuted)
      #expect(Fixtures.pixels(of: task.train, at: 3) == permuted)
    }
    #expect(sequence.tasks[0].name == "permutation 0")
    #expect(sequence.tasks[0].train != (try Self.rampBase()).train)
  }

  @Test func permutationsDependOnlyOnTheSeed() throws {
    let unpermutedFirst = try TaskSequence.permuted(Self.base, tasks: 3, seed: 4)
    let permutedFirst = try TaskSequence.permuted(Self.base, tasks: 3, permuteFirstTask: true, seed: 4)
    #expect(unpermutedFirst.tasks[1...] == permutedFirst.tasks[1...])
    #expect(try TaskSequence.permuted(Self.base, tasks: 3, seed: 4) == unpermutedFirst)
    #expect(try TaskSequence.permuted(Self.base, tasks: 3, seed: 5).tasks[1] != unpermutedFirst.tasks[1])
  }

  @Test func paddingCentresImagesOnAZeroBorderBeforePermuting() throws {
    let sequence = try TaskSequence.permuted(Self.base, tasks: 2, padTo32: true, seed: 2)
    #expect(sequence.sampleShape == [1, 32, 32])
    let padded = sequence.tasks[0].train
    #expect(padded.inputs.shape == [30, 1, 32, 32])
    for image in 0..<padded.count {
      let pixels = Fixtures.pixels(of: padded, at: image)
      let original = Fixtures.pixels(of: Self.base.train, at: image)
      for row in 0..<32 {
        for column in 0..<32 {
          let inside = (2..<30).contains(row) && (2..<30).contains(column)
          let expected = inside ? original[(row - 2) * 28 + column - 2] : 0
          #expect(pixels[row * 32 + column] == expected, "image \(image) row \(row) column \(column)")
        }
      }
      let permuted = Fixtures.pixels(of: sequence.tasks[1].train, at: image)
      #expect(permuted.sorted() == pixels.sorted())
    }
  }

  @Test func permutedRejectsBadArguments() throws {
    let noTasks = #expect(throws: DatasetError.self) { try TaskSequence.permuted(Self.base, tasks: 0, seed: 1) }
    #expect(noTasks?.description == "TaskSequence.permuted: the number of tasks must be at least 1, got 0")
    let big = try Self.rampBase(side: 33)
    let tooLarge = #expect(throws: DatasetError.self) {
      try TaskSequence.permuted(big, tasks: 1, padTo32: true, seed: 1)
    }
    #expect(tooLarge?.description.contains("cannot pad 33×33 images to 32×32") == true)
    let flat = (Self.base.train.flattened(), Self.base.test.flattened())
    #expect(throws: DatasetError.self) { try TaskSequence.permuted(flat, tasks: 2, seed: 1) }
  }

  // MARK: - Rotated

  @Test func rotationByZeroIsTheIdentity() throws {
    let sequence = try TaskSequence.rotated(Self.base, tasks: 2, angles: [0, 30])
    #expect(sequence.tasks[0].train == Self.base.train)
    #expect(sequence.tasks[0].test == Self.base.test)
    #expect(sequence.tasks.map(\.name) == ["rotation 0°", "rotation 30°"])
    #expect(try Self.base.train.rotated(degrees: 0).inputs == Self.base.train.inputs)
  }

  @Test func rotationTurnsImagesCounterClockwise() throws {
    // One bright pixel right of the centre (13.5, 13.5): row 13, column 20.
    var image = Tensor.zeros([1, 1, 28, 28])
    image[0, 0, 13, 20] = 1
    let base = (try LabelledImages(inputs: image, labels: [0]), try LabelledImages(inputs: image, labels: [0]))
    let sequence = try TaskSequence.rotated(base, tasks: 3, angles: [90, 180, -90])
    // Counter-clockwise by 90°: the pixel moves above the centre, to row 7, column 13.
    for (task, (row, column)) in zip(sequence.tasks, [(7, 13), (14, 7), (20, 14)]) {
      let rotated = task.train.inputs
      #expect(abs(rotated[0, 0, row, column] - 1) < 1e-5, "\(task.name)")
      #expect(abs(rotated.scalars.reduce(0, +) - 1) < 1e-5, "\(task.name)")
      #expect(task.test.inputs == rotated)
    }
  }

  @Test func rotationAnglesDefaultToEvenSpacingOrComeFromTheSeed() throws {
    let even = try TaskSequence.rotated(Self.base, tasks: 4)
    #expect(even.tasks.map(\.name) == ["rotation 0°", "rotation 45°", "rotation 90°", "rotation 135°"])
    #expect(even.name == "rotated")
    let random = try TaskSequence.rotated(Self.base, tasks: 3, seed: 2)
    #expect(try TaskSequence.rotated(Self.base, tasks: 3, seed: 2) == random)
    #expect(random.tasks.map(\.name) != (try TaskSequence.rotated(Self.base, tasks: 3, seed: 3)).tasks.map(\.name))
    let tooFew = #expect(throws: DatasetError.self) { try TaskSequence.rotated(Self.base, tasks: 3, angles: [0, 90]) }
    #expect(tooFew?.description == "TaskSequence.rotated: 2 angles given for 3 tasks")
    #expect(throws: DatasetError.self) { try TaskSequence.rotated(Self.base, tasks: 1, angles: [.nan]) }
  }

  // MARK: - Split

  @Test func splitTasksHaveLocalLabelsAndSourceClasses() throws {
    let sequence = try TaskSequence.split(Self.base, groups: [[0, 1], [7, 2, 3]])
    #expect(sequence.name == "split")
    #expect(sequence.classesPerTask == [2, 3])
    #expect(sequence.totalClasses == 5)
    #expect(
      sequence.classOffset(ofTask: 0) == 0 && sequence.classOffset(ofTask: 1) == 2
        && sequence.classOffset(ofTask: 2) == 5)
    let task = sequence.tasks[1]
    #expect(task.sourceClasses == [7, 2, 3])
    #expect(task.classNames == ["chevron", "zed", "cross"])
    #expect(task.name == "classes chevron, zed, cross")
    for (set, original) in [(task.train, Self.base.train), (task.test, Self.base.test)] {
      let kept = original.labels.indices.filter { [7, 2, 3].contains(original.labels[$0]) }
      #expect(set.count == kept.count)
      #expect(set.labels == kept.map { [7: 0, 2: 1, 3: 2][original.labels[$0]] ?? -1 })
      for (position, index) in kept.enumerated() {
        #expect(Fixtures.pixels(of: set, at: position) == Fixtures.pixels(of: original, at: index))
      }
    }
  }

  @Test func splitIntoTasksDealsClassesInOrderOrBySeed() throws {
    let ordered = try TaskSequence.split(Self.base, tasks: 5)
    #expect(ordered.tasks.map(\.sourceClasses) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
    let uneven = try TaskSequence.split(Self.base, tasks: 3)
    #expect(uneven.tasks.map(\.sourceClasses) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]])

    let first = try TaskSequence.split(Self.base, tasks: 5, randomGroupingSeed: 1)
    let again = try TaskSequence.split(Self.base, tasks: 5, randomGroupingSeed: 1)
    let second = try TaskSequence.split(Self.base, tasks: 5, randomGroupingSeed: 2)
    #expect(first == again)
    #expect(first.tasks.map(\.sourceClasses) != second.tasks.map(\.sourceClasses))
    for sequence in [first, second] {
      #expect(sequence.tasks.flatMap(\.sourceClasses).sorted() == Array(0..<10))
      #expect(sequence.classesPerTask == [2, 2, 2, 2, 2])
    }
  }

  @Test(arguments: [
    ([[0, 1], [1, 2]], "class 1 appears in more than one place (again in group 1)"),
    ([[0, 10]], "class 10 in group 0 is outside the dataset's classes 0..<10"),
    ([[0], []], "group 1 is empty"),
    ([], "the number of tasks must be at least 1, got 0"),
  ])
  func splitRejectsBadGroups(groups: [[Int]], message: String) {
    let error = #expect(throws: DatasetError.self) { try TaskSequence.split(Self.base, groups: groups) }
    #expect(error?.description == "TaskSequence.split: \(message)")
  }

  @Test func splitRejectsMoreTasksThanClasses() {
    let error = #expect(throws: DatasetError.self) { try TaskSequence.split(Self.base, tasks: 11) }
    #expect(error?.description == "TaskSequence.split: cannot split 10 classes into 11 tasks; choose 1 to 10 tasks")
  }

  // MARK: - Subsample and validation

  @Test func subsampleShrinksEachTaskDeterministically() throws {
    let sequence = try TaskSequence.split(Self.base, tasks: 2)
    let small = try sequence.subsample(trainPerTask: 10, testPerTask: nil, seed: 3)
    #expect(small.tasks.map(\.train.count) == [10, 10])
    #expect(small.tasks.map(\.test.count) == sequence.tasks.map(\.test.count))
    #expect(small.tasks[0].train.classHistogram == [2, 2, 2, 2, 2])
    #expect(try sequence.subsample(trainPerTask: 10, testPerTask: nil, seed: 3) == small)
    #expect(try sequence.subsample(trainPerTask: 10, testPerTask: nil, seed: 4) != small)
    #expect(small.tasks.map(\.sourceClasses) == sequence.tasks.map(\.sourceClasses))
    #expect(throws: DatasetError.self) { try sequence.subsample(trainPerTask: -1, testPerTask: nil, seed: 3) }
  }

  @Test func sequenceAndTaskInitialisersValidate() throws {
    let train = Self.base.train
    #expect(throws: DatasetError.self) { try TaskSequence(name: "empty", tasks: []) }
    let task = try ContinualTask(
      index: 0, name: "all", train: train, test: Self.base.test, sourceClasses: Array(0..<10))
    #expect(task.classCount == 10)
    #expect(throws: DatasetError.self) {
      try ContinualTask(index: 0, name: "wrong classes", train: train, test: Self.base.test, sourceClasses: [0, 1])
    }
    #expect(throws: DatasetError.self) {
      try ContinualTask(
        index: 0, name: "flat test", train: train, test: Self.base.test.flattened(), sourceClasses: Array(0..<10))
    }
    var misnumbered = task
    misnumbered.index = 1
    let error = #expect(throws: DatasetError.self) { try TaskSequence(name: "numbering", tasks: [task, task]) }
    #expect(error?.description.contains("the task at position 1 has index 0") == true)
    #expect(try TaskSequence(name: "numbered", tasks: [task, misnumbered]).count == 2)
  }
}

/// Degenerate data used to finish with wrong metrics (a task without test images
/// scored 0.00, a class without images was skipped unnoticed). Each is now an error naming the
/// task and the class.
@Suite struct IncompleteTaskTests {
  static let data = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 2)

  @Test func aTaskWithoutTestImagesIsAnError() throws {
    let empty = Self.data.test.filter(classes: [])
    let error = #expect(throws: DatasetError.self) { try TaskSequence.split((Self.data.train, empty), tasks: 5) }
    #expect(
      error?.description.contains("task 1 ('classes ring, bar') has no test images") == true,
      "\(String(describing: error))")
  }

  @Test func aClassWithoutTrainingImagesIsAnErrorNamingIt() throws {
    let withoutBox = Self.data.train.filter(classes: Set(0..<10).subtracting([5]))
    let error = #expect(throws: DatasetError.self) { try TaskSequence.split((withoutBox, Self.data.test), tasks: 5) }
    #expect(
      error?.description.contains("class 'box' of task 3 ('classes triangle, box') has no training images") == true,
      "\(String(describing: error))")
    let permuted = #expect(throws: DatasetError.self) {
      try TaskSequence.permuted((withoutBox, Self.data.test), tasks: 2, seed: 1)
    }
    #expect(permuted?.description.contains("class 'box' of task 1") == true)
  }

  @Test func aSubsampleSmallerThanTheClassesIsAnError() throws {
    let sequence = try TaskSequence.permuted(Self.data, tasks: 2, seed: 1)
    #expect(
      try sequence.subsample(trainPerTask: 10, testPerTask: 10, seed: 1).tasks.allSatisfy { $0.train.count == 10 })
    let error = #expect(throws: DatasetError.self) { try sequence.subsample(trainPerTask: 10, testPerTask: 5, seed: 1) }
    #expect(
      error?.description.contains("has no test images") == true
        && error?.description.contains("--test-per-task") == true)
  }
}
