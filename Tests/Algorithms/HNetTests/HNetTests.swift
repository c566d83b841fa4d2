import Testing

@testable import HNet

@Suite struct HNetTests {
  @Test func placeholder() {}
}
