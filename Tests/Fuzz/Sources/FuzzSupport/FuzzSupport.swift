import CFuzzerDriver
import Foundation

/// What every fuzzer shares: libFuzzer's driver, the input as bytes, and the checks that turn a
/// broken promise into a crash libFuzzer records.
///
/// A fuzzer's `main.swift` defines `@_cdecl("LLVMFuzzerTestOneInput")` and ends with
/// `Fuzzer.run()`:
///
/// ```swift
/// @_cdecl("LLVMFuzzerTestOneInput")
/// func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
///   let input = Fuzzer.data(data, size)
///   …
///   return 0
/// }
/// Fuzzer.run()
/// ```
public enum Fuzzer {
  /// Hands this process's arguments to libFuzzer's driver, which runs `LLVMFuzzerTestOneInput` on
  /// each input (libFuzzer's flags and corpus folders, or files to run once), and exits with its
  /// status.
  ///
  /// SwiftPM links an executable's own `main` (the top-level code of `main.swift`), so libFuzzer's
  /// `main` is never used; this calls the driver that `main` would have called.
  public static func run() -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
  }

  /// The input as `Data` (libFuzzer may pass a null pointer for an empty input).
  public static func data(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Data {
    guard let pointer, size > 0 else { return Data() }
    return Data(bytes: pointer, count: size)
  }

  /// Splits an input into two files: the first two bytes (big-endian) give the first file's
  /// length, cut to what is there; the rest is the second file.
  ///
  /// Every input splits, so mutations of the length or of either file stay meaningful.
  public static func split(_ input: Data) -> (first: Data, second: Data) {
    let bytes = [UInt8](input)
    guard bytes.count >= 2 else { return (Data(), Data()) }
    let length = min(Int(bytes[0]) << 8 | Int(bytes[1]), bytes.count - 2)
    return (Data(bytes[2..<(2 + length)]), Data(bytes[(2 + length)...]))
  }

  /// Joins two files into one input that ``split(_:)`` takes apart (the first at most 65,535 bytes).
  public static func join(_ first: Data, _ second: Data) -> Data {
    precondition(first.count <= 0xFFFF, "the first file of a joined input is at most 65535 bytes")
    return Data([UInt8(first.count >> 8), UInt8(first.count & 0xFF)]) + first + second
  }

  /// Stops the process when `condition` is false: libFuzzer reports the input as a crash (a
  /// deadly signal) and saves it.
  ///
  /// - Parameters:
  ///   - condition: The promise the reader must keep.
  ///   - message: What was broken, printed before the trap.
  ///   - file: The file of the check, for the message.
  ///   - line: The line of the check, for the message.
  public static func require(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
  ) {
    if !condition { fatalError("broken promise: \(message())", file: file, line: line) }
  }

  /// Stops the process: a promise was broken (libFuzzer reports the input as a crash).
  public static func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("broken promise: \(message)", file: file, line: line)
  }

  /// Stops the process for an error that is not one of the reader's typed errors.
  public static func untyped(_ error: any Error, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("an error of an undocumented type \(type(of: error)): \(error)", file: file, line: line)
  }
}
