import ContinualData
import ContinualEngine
import Testing

/// `holdingOut`: a class-stratified, seeded validation split of every task's training set.
@Suite struct ValidationSplitTests {
  static func sequence() throws -> TaskSequence {
    let data = SyntheticGlyphs.generate(trainCount: 600, testCount: 100, seed: 3)
    return try TaskSequence.split(data, tasks: 5)
  }

  /// Each class loses round(fraction · n) images to validation; nothing is lost or duplicated;
  /// the test set is untouched; the same seed gives the same split and another seed another.
  @Test func theSplitIsStratifiedDisjointAndSeeded() throws {
    let sequence = try Self.sequence()
    let held = try sequence.holdingOut(0.2, seed: 1)
    for (before, after) in zip(sequence.tasks, held.tasks) {
      let validation = try #require(after.validation)
      for c in 0..<before.classCount {
        let n = before.train.classHistogram[c]
        #expect(validation.classHistogram[c] == Int((0.2 * Double(n)).rounded()), "class \(c) of \(before.name)")
        #expect(after.train.classHistogram[c] + validation.classHistogram[c] == n)
      }
      #expect(after.test == before.test)
    }
    #expect(try sequence.holdingOut(0.2, seed: 1) == held)
    #expect(try sequence.holdingOut(0.2, seed: 2).tasks[0].validation != held.tasks[0].validation)
  }

  /// A fraction outside (0, 1), or a class with one image, is an error naming the problem.
  @Test func badFractionsAndTinyClassesAreNamed() throws {
    let sequence = try Self.sequence()
    for fraction in [0, 1, -0.5, 1.5] {
      #expect(throws: DatasetError.self, "\(fraction)") { try sequence.holdingOut(fraction, seed: 1) }
    }
    // Two images of each class: one to each side. One image of a class: an error naming it.
    let two = try sequence.subsample(trainPerTask: 4, testPerTask: nil, seed: 1).holdingOut(0.5, seed: 1)
    #expect(two.tasks.allSatisfy { $0.train.count == 2 && $0.validation?.count == 2 })
    let one = #expect(throws: DatasetError.self) {
      try sequence.subsample(trainPerTask: 2, testPerTask: nil, seed: 1).holdingOut(0.5, seed: 1)
    }
    #expect(one.map { "\($0)".contains("has 1 training image(s) of class") } == true)
  }
}
