import ContinualReport
import Testing

@Suite struct MeanEstimateTests {
  @Test func threeSeedsByHand() throws {
    // mean = 2.79 / 3 = 0.93; deviations −0.03, −0.01, 0.04; Σ squares = 0.0026;
    // sample variance = 0.0026 / 2 = 0.0013; sd = √0.0013 = 0.036055513; SE = sd / √3 = 0.020816660.
    let estimate = try #require(MeanEstimate([0.90, 0.92, 0.97]))
    #expect(abs(estimate.mean - 0.93) < 1e-12)
    #expect(abs(estimate.standardError - 0.020816660) < 1e-9)
    #expect(estimate.count == 3)
  }

  @Test func oneSeedHasZeroStandardError() throws {
    let estimate = try #require(MeanEstimate([0.5]))
    #expect(estimate == MeanEstimate(mean: 0.5, standardError: 0, count: 1))
  }

  @Test func noValuesGiveNoEstimate() {
    #expect(MeanEstimate([]) == nil)
  }
}
