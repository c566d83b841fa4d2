import ContinualCore
import ContinualEngine
import Foundation

/// The cost of a per-sample importance estimate (EWC's Fisher at the expected label over 2 of the
/// 10 outputs, the sum of squared per-sample gradients) on the CNNs of `--network`, against one
/// training epoch over the same 512 images (batch 128, Adam), and the one-sample-at-a-time path
/// the estimate took before convolutions had a batched one.
func importanceWorkload(_ seconds: Double) throws -> [[String: Any]] {
  try ["zenke", "resnet32"].map { name in
    let network = try ContinualCore.Network.named(name).architecture(input: [3, 32, 32], outputs: 10)
    var rng = SeededGenerator(seed: 4)
    let model = Model(network, rng: &rng)
    let count = 512
    let inputs = Tensor.randomUniform([count, 3, 32, 32], using: &rng)
    /// Σ over both labels, weighted by p(y|x): EWC's expected Fisher.
    func losses(_ logits: Variable, _ range: Range<Int>) throws -> [(loss: Variable, weights: [Float])] {
      let p = try logits.value.softmax(alongAxis: 1)
      return try (0..<2).map { c in
        (
          try crossEntropy(logits: logits, labels: [Int](repeating: c, count: range.count), reduction: .sum),
          range.map { p[$0 - range.lowerBound, c] }
        )
      }
    }
    let batched = try timePerCall(seconds: seconds) {
      _ = try PerSampleGradients.sumOfPowers(2, model: model, inputs: inputs, batchSize: 128, losses: losses)
    }
    // The one-sample path on a slice, scaled to the same number of images.
    let slice = try inputs.slice(alongAxis: 0, range: 0..<32)
    let single =
      try timePerCall(seconds: seconds) {
        _ = try PerSampleGradients.sumOfPowers(2, model: model, inputs: slice, batchSize: 1, losses: losses)
      } * Double(count / 32)
    let epoch = Double(count) / (try trainingRate(network, input: [3, 32, 32], batch: 128, seconds: seconds))
    return [
      "workload": "importance \(name) fisher 2 classes, 512 images", "seconds_batched": batched,
      "seconds_one_sample_at_a_time": single,
      "seconds_training_epoch": epoch, "ratio_batched_to_epoch": batched / epoch,
      "speedup_over_one_sample": single / batched,
    ]
  }
}
