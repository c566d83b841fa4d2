import Testing

extension Issue {
  /// Whether one of the issue's comments contains every one of `fragments`: what the tests of the
  /// checkers match a planted bug's report with.
  func mentions(_ fragments: String...) -> Bool {
    comments.contains { comment in fragments.allSatisfy { comment.rawValue.contains($0) } }
  }
}
