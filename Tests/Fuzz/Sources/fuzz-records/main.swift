// Fuzzes `RecordFile.decode(_:file:)`, the JSON Lines reader of run records, and the tables made
// from what it accepts.
//
// Promises checked: rejection only with `RecordFileError.malformedLine` naming the file and a line
// that exists; when accepted, every non-blank line is a record or a torn line skipped with a
// warning, and the records render in every table format (HTML report included).

import ContinualCore
import ContinualReport
import Foundation
import FuzzSupport

let file = "fuzz/records.jsonl"

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = Fuzzer.data(data, size)
  let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
  let lineCount = input.last == UInt8(ascii: "\n") ? lines.count - 1 : lines.count
  let nonBlank = lines.filter { line in
    line.contains { ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains($0) }
  }.count
  let contents: RecordFile.Contents
  do {
    contents = try RecordFile.decode(input, file: file)
  } catch let error as RecordFileError {
    guard case .malformedLine(let name, let line, let reason) = error else {
      Fuzzer.fail("not a malformed line: \(error)")
    }
    Fuzzer.require(
      name == file && (1...max(lineCount, 1)).contains(line) && !reason.isEmpty, "\(error) of \(lineCount) lines")
    return 0
  } catch {
    Fuzzer.untyped(error)
  }
  Fuzzer.require(
    contents.records.count + contents.warnings.count == nonBlank,
    "\(nonBlank) lines but \(contents.records.count) records and \(contents.warnings)")
  let table = ComparisonTable(records: contents.records)
  for format in TableFormat.allCases {
    do {
      _ = try table.rendered(as: format)
    } catch {
      Fuzzer.fail("accepted records do not render as \(format): \(error)")
    }
  }
  return 0
}

Fuzzer.run()
