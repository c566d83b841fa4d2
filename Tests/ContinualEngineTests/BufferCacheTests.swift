import Testing

@testable import ContinualEngine

/// The cache of large freed tensor buffers. Each test uses a byte count no tensor of the suite
/// has, since tests run in parallel and share the cache.
@Suite struct BufferCacheTests {
  @Test func aKeptBufferIsHandedOutOnceForItsExactSize() {
    let size = BufferCache.minimumSize + 64 * 7
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    #expect(BufferCache.keep(buffer, byteCount: size))
    #expect(BufferCache.take(byteCount: size + 64) == nil)
    #expect(BufferCache.take(byteCount: size) == buffer)
    #expect(BufferCache.take(byteCount: size) == nil)
    buffer.deallocate()
  }

  @Test func smallAndHugeBuffersGoBackToMalloc() {
    let small = UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 64)
    #expect(!BufferCache.keep(small, byteCount: 1024))
    small.deallocate()
    #expect(BufferCache.take(byteCount: 1024) == nil)
    let hugeSize = BufferCache.limit / 4 + 64
    let huge = UnsafeMutableRawPointer.allocate(byteCount: hugeSize, alignment: 64)
    #expect(!BufferCache.keep(huge, byteCount: hugeSize))
    huge.deallocate()
  }

  @Test func aFreedTensorsBufferServesTheNextTensorOfItsSize() {
    let count = BufferCache.minimumSize / 4 + 16 * 5
    var first: UnsafeRawPointer?
    do {
      let tensor = Tensor(shape: [count], repeating: 7)
      first = tensor.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
    let next = Tensor.zeros([count])
    #expect(next.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } == first)
    #expect(next.scalars.allSatisfy { $0 == 0 }, "the reused buffer is filled by the new tensor's initialiser")
  }
}
