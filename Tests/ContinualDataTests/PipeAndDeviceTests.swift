import ContinualEngine
import ContinualTesting
import Foundation
import Testing

@testable import ContinualData

/// Data files that are not regular files: a named pipe in place of a dataset
/// file is refused at once, naming the file and what it is, instead of blocking or failing with
/// "You don't have permission".
@Suite struct PipeAndDeviceTests {
  @Test(arguments: IDXDataset.File.allCases)
  func aPipeInPlaceOfAnIDXFileIsNotARegularFile(file: IDXDataset.File) throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Fixtures.writeDataset(in: directory, gzipped: false)
    try FileManager.default.removeItem(at: directory.appendingPathComponent(file.fileName))
    let url = try namedPipe(file.fileName, in: directory)
    #expect(throws: IDXError.unreadable(source: url.path, reason: "not a regular file (a named pipe)")) {
      try IDXDataset.load(.mnist, from: directory)
    }
  }

  @Test func aPipeInPlaceOfACIFARFileIsNotARegularFile() throws {
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in CIFARDataset.cifar10.fileNames { _ = try namedPipe(name, in: directory) }
    #expect {
      try CIFARDataset.load(.cifar10, from: directory)
    } throws: {
      "\($0)".contains(directory.path) && "\($0)".contains("not a regular file (a named pipe)")
    }
  }

  @Test func aDeviceIsNotARegularFile() {
    #expect(throws: IDXError.unreadable(source: "/dev/zero", reason: "not a regular file (a character device)")) {
      try IDXFile.read(contentsOf: URL(fileURLWithPath: "/dev/zero"))
    }
  }
}
