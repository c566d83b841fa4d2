import Testing
@testable import ContinualEngine
@Test func placeholder() { #expect(Tensor(1).scalar == 1) }
