import ContinualEngine
import Foundation
import Testing

@testable import ContinualData

@Suite struct SyntheticGlyphsTests {
  @Test func sameSeedGivesBitIdenticalSets() {
    let first = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 7)
    let second = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 7)
    #expect(first.train == second.train)
    #expect(first.test == second.test)
    let other = SyntheticGlyphs.generate(trainCount: 40, testCount: 20, seed: 8)
    #expect(other.train.inputs != first.train.inputs)
    #expect(first.train.inputs.scalars.prefix(784 * 20) != first.test.inputs.scalars.prefix(784 * 20))
  }

  /// Pins the generator's output, so a change to the drawing — or a platform whose arithmetic
  /// differs — shows up here (the dataset promises the same tensors everywhere). Re-pinned when
  /// the glyphs came to be stored as bytes (each value rounded to the nearest `k / 255`).
  @Test func matchesThePinnedChecksum() {
    let set = SyntheticGlyphs.generate(trainCount: 10, testCount: 0, seed: 42).train
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    set.inputs.withUnsafeBufferPointer { buffer in
      for value in buffer { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
    }
    for label in set.labels { hash = (hash ^ UInt64(label)) &* 0x0000_0100_0000_01B3 }
    #expect(hash == Self.pinnedChecksum, "checksum \(String(hash, radix: 16))")
  }

  static let pinnedChecksum: UInt64 = 0x66B2_53C0_5B61_5E1A

  /// The glyphs are held as bytes, like a real dataset: every value a network sees is `k / 255`.
  @Test func valuesAreByteLevels() {
    let set = SyntheticGlyphs.generate(trainCount: 30, testCount: 0, seed: 3).train
    #expect(set.storesBytes)
    #expect(set.storageByteCount == 30 * 784)
    let levels = Set((0..<256).map { Float($0) / 255 })
    #expect(set.inputs.scalars.allSatisfy { levels.contains($0) })
    #expect(Set(set.inputs.scalars).count > 100, "the anti-aliased edges and the noise use many levels")
  }

  @Test(arguments: [50, 23, 0])
  func classesAreBalanced(count: Int) throws {
    let set = SyntheticGlyphs.generate(trainCount: count, testCount: 0, seed: 1).train
    #expect(set.inputs.shape == [count, 1, 28, 28])
    #expect(set.classNames == SyntheticGlyphs.classNames)
    let histogram = set.classHistogram
    #expect(histogram.reduce(0, +) == count)
    #expect((histogram.max() ?? 0) - (histogram.min() ?? 0) <= 1)
    #expect(set.labels != set.labels.sorted() || count < 3, "labels should be shuffled")
  }

  @Test func pixelsAreInTheUnitIntervalWithInkAndBackground() {
    let set = SyntheticGlyphs.generate(trainCount: 30, testCount: 0, seed: 3).train
    let all = set.inputs.scalars
    #expect(all.allSatisfy { value in value >= 0 && value <= 1 })
    for image in 0..<30 {
      let pixels = all[(image * 784)..<((image + 1) * 784)]
      let inked = pixels.filter { value in value > 0.5 }.count
      #expect((30...400).contains(inked), "image \(image) has \(inked) inked pixels")
      // The border rows are background (at most noise), as in MNIST.
      let border = pixels.prefix(28).filter { value in value >= 0.5 }.count
      #expect(border == 0, "image \(image) has \(border) inked pixels in its top row")
    }
  }

  @Test func classesAreSeparableByTheirMeanImages() throws {
    // A nearest-class-mean classifier is far weaker than an MLP; it still separates the glyphs.
    let (train, test) = SyntheticGlyphs.generate(trainCount: 500, testCount: 200, seed: 11)
    var means = [[Float]](repeating: [Float](repeating: 0, count: 784), count: 10)
    let trainPixels = train.inputs.scalars
    for (index, label) in train.labels.enumerated() {
      for k in 0..<784 { means[label][k] += trainPixels[index * 784 + k] / 50 }
    }
    let testPixels = test.inputs.scalars
    var correct = 0
    for (index, label) in test.labels.enumerated() {
      let distances = means.map { mean in
        (0..<784).reduce(Float(0)) { sum, k in
          let difference = mean[k] - testPixels[index * 784 + k]
          return sum + difference * difference
        }
      }
      if distances.firstIndex(of: distances.min() ?? 0) == label { correct += 1 }
    }
    let accuracy = Double(correct) / Double(test.count)
    #expect(accuracy > 0.8, "nearest-mean accuracy \(accuracy)")
  }

  @Test func portableTrigonometryMatchesTheSystem() {
    for step in -400...400 {
      let x = Double(step) * 0.05
      let (sine, cosine) = PortableTrigonometry.sinCos(x)
      #expect(abs(sine - Foundation.sin(x)) < 1e-14 && abs(cosine - Foundation.cos(x)) < 1e-14, "x = \(x)")
    }
    let zero = PortableTrigonometry.sinCos(0)
    #expect(zero.sin == 0 && zero.cos == 1)
  }
}
