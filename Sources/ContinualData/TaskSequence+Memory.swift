extension TaskSequence {
  /// The memory the sequence holds, in bytes: each pixel store once however many tasks show it,
  /// and each task's own views (the rows it shows, its labels, its permutation or rotation tables),
  /// each buffer counted once where tasks share it.
  ///
  /// A benchmark's tasks are views of one dataset, so 1,000 permuted-MNIST tasks hold the 47 MB of
  /// MNIST once plus a few tens of kilobytes per task (their subsampled rows and labels, and a
  /// permutation), not a copy of the images per task.
  ///
  /// ```swift
  /// let sequence = try TaskSequence.permuted(data, tasks: 1000, seed: 1)
  /// sequence.memoryFootprint   // ≈ the dataset's size, plus 6 KB per permutation
  /// ```
  ///
  /// - Complexity: O(*t*) in the number of tasks.
  public var memoryFootprint: Int {
    var counted = Set<ObjectIdentifier>()
    var buffers = Set<UnsafeRawPointer>()
    var total = 0
    /// Adds an array's bytes unless its buffer was counted already.
    func add<Element>(_ array: [Element]) {
      guard !array.isEmpty else { return }
      let base = array.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
      if buffers.insert(base).inserted { total += array.count * MemoryLayout<Element>.stride }
    }
    for task in tasks {
      for images in [task.train, task.test] + (task.validation.map { [$0] } ?? []) {
        if counted.insert(ObjectIdentifier(images.store)).inserted { total += images.store.byteCount }
        add(images.labels)
        if let rows = images.rows { add(rows) }
        for step in images.pipeline.steps {
          switch step {
          case .permute(let permutation): add(permutation)
          case .rotate(let rotation):
            add(rotation.sources)
            add(rotation.weights)
          case .pad, .normalise: break
          }
        }
      }
    }
    return total
  }
}
