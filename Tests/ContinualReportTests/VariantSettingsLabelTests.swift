import ContinualCore
import Foundation
import Testing

@testable import ContinualReport

/// A variant alone in its table (`ewc[lambda=1e4]` beside `si[c=0.5]`) shows its
/// non-default settings in every format; a row at its defaults keeps its plain name.
@Suite struct VariantSettingsLabelTests {
  static let defaults = ["ewc.lambda": "500", "ewc.samples": "200", "si.c": "0.1", "si.xi": "0.001"]

  static func table() -> ComparisonTable {
    let ewc = Fixture.record(
      id: "e", algorithm: "ewc", matrix: [[0.9, 0.1], [0.8, 0.9]],
      config: ["ewc.lambda": "10000", "ewc.samples": "200", "lr": "0.01"])
    let si = Fixture.record(
      id: "s", algorithm: "si", matrix: [[0.9, 0.1], [0.7, 0.9]],
      config: ["si.c": "0.5", "si.xi": "0.001", "lr": "0.01"])
    let plain = Fixture.record(
      id: "f", algorithm: "finetune", matrix: [[0.9, 0.1], [0.5, 0.9]], config: ["lr": "0.01"])
    return ComparisonTable(records: [ewc, si, plain]).labellingSettings(differingFrom: defaults)
  }

  @Test func loneVariantsAreLabelledWithTheirNonDefaultSettings() {
    let rows = Self.table().rows
    #expect(rows.map(\.label) == ["ewc (lambda=10000)", "si (c=0.5)", "finetune"])
    #expect(rows.map(\.distinguishingKeys) == [["ewc.lambda"], ["si.c"], []])
  }

  @Test(arguments: [TableFormat.markdown, .latex, .csv, .html, .json])
  func everyFormatShowsThem(format: TableFormat) throws {
    let text = try Self.table().rendered(as: format)
    #expect(text.contains("lambda=10000") && text.contains("c=0.5"), "\(text.prefix(2000))")
    #expect(!text.contains("samples=200") && !text.contains("xi=0.001"), "defaults are not shown")
  }

  /// An algorithm the caller does not know has no default to compare with: its settings show.
  @Test func settingsWithoutAKnownDefaultAreShown() {
    let custom = Fixture.record(id: "c", algorithm: "mine", matrix: [[0.9]], config: ["mine.k": "3"])
    let table = ComparisonTable(records: [custom]).labellingSettings(differingFrom: Self.defaults)
    #expect(table.rows.first?.label == "mine (k=3)")
  }

  /// Rows told apart by one setting also show another they share that is not its default.
  @Test func groupedRowsAddTheirSharedNonDefaultSettings() {
    let a = Fixture.record(
      id: "a", algorithm: "ewc", matrix: [[0.9]], config: ["ewc.lambda": "1", "ewc.samples": "50"])
    let b = Fixture.record(
      id: "b", algorithm: "ewc", matrix: [[0.9]], config: ["ewc.lambda": "2", "ewc.samples": "50"])
    let table = ComparisonTable(records: [a, b])
    #expect(table.rows.map(\.label) == ["ewc (lambda=1)", "ewc (lambda=2)"])
    let labelled = table.labellingSettings(differingFrom: Self.defaults)
    #expect(labelled.rows.map(\.label) == ["ewc (lambda=1, samples=50)", "ewc (lambda=2, samples=50)"])
  }
}
