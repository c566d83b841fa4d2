import Foundation
import Testing

@testable import ContinualData

@Suite struct DataDirectoryTests {
  /// A temporary root with a fake home and cache, and an environment pointing at them.
  struct Sandbox {
    let root: URL
    var environment: [String: String]
    var cache: URL { DataDirectory.userCacheDirectory(environment: environment) }

    init() throws {
      root = try Fixtures.temporaryDirectory()
      environment = [
        "HOME": root.appendingPathComponent("home").path,
        "XDG_CACHE_HOME": root.appendingPathComponent("xdg-cache").path,
      ]
    }

    func folder(_ name: String) -> URL { root.appendingPathComponent(name, isDirectory: true) }
    func remove() { try? FileManager.default.removeItem(at: root) }
  }

  @Test func cacheFollowsXDGThenHome() {
    #if os(macOS)
      #expect(
        DataDirectory.userCacheDirectory(environment: ["HOME": "/Users/ada"]).path
          == "/Users/ada/Library/Caches/ContinualKit")
    #else
      #expect(
        DataDirectory.userCacheDirectory(environment: ["HOME": "/home/ada", "XDG_CACHE_HOME": "/var/cache/ada"]).path
          == "/var/cache/ada/continualkit"
      )
      #expect(
        DataDirectory.userCacheDirectory(environment: ["HOME": "/home/ada", "XDG_CACHE_HOME": "relative"]).path
          == "/home/ada/.cache/continualkit")
      #expect(
        DataDirectory.userCacheDirectory(environment: ["HOME": "/home/ada"]).path == "/home/ada/.cache/continualkit")
    #endif
  }

  @Test func candidatesComeInSearchOrder() throws {
    let environment = ["HOME": "/home/ada", "CONTINUAL_DATA": "~/datasets"]
    let explicit = URL(fileURLWithPath: "/data/explicit")
    let fashion = DataDirectory.candidates(for: .fashionMNIST, explicit: explicit, environment: environment)
    #expect(fashion.map(\.origin) == [.explicit, .environment, .userCache, .system])
    #expect(
      fashion.map(\.directory.path) == [
        "/data/explicit", "/home/ada/datasets", DataDirectory.userCacheDirectory(environment: environment).path,
        "/usr/share/datasets/fashion-mnist",
      ])
    let mnist = DataDirectory.candidates(for: .mnist, explicit: nil, environment: ["HOME": "/home/ada"])
    #expect(mnist.map(\.origin) == [.userCache])
  }

  @Test func explicitDirectoryWinsOverEnvironmentAndCache() throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let explicit = try Fixtures.writeDataset(in: sandbox.folder("explicit"))
    let fromEnvironment = try Fixtures.writeDataset(in: sandbox.folder("environment"))
    try Fixtures.writeDataset(in: sandbox.cache)
    var environment = sandbox.environment
    environment["CONTINUAL_DATA"] = fromEnvironment.path
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: explicit, environment: environment).path == explicit.path)
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: nil, environment: environment).path == fromEnvironment.path)
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: nil, environment: sandbox.environment).path
        == sandbox.cache.path)
  }

  /// A directory the user named that lacks the data used to be passed over silently for
  /// the next place, which may hold other data. It is now the only place searched, and an error.
  @Test func aNamedDirectoryThatLacksTheDataIsAnErrorNotAFallBack() throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let fromEnvironment = try Fixtures.writeDataset(in: sandbox.folder("environment"))
    try Fixtures.writeDataset(in: sandbox.cache)
    let empty = sandbox.folder("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    var environment = sandbox.environment
    environment["CONTINUAL_DATA"] = fromEnvironment.path
    let explicitError = #expect(throws: DatasetError.self) {
      try DataDirectory.resolve(dataset: .mnist, explicit: empty, environment: environment)
    }
    guard case .dataNotFound(_, let searched) = explicitError else {
      Issue.record("expected dataNotFound, got \(String(describing: explicitError))")
      return
    }
    #expect(searched.count == 1)
    #expect(searched.first?.hasPrefix("\(empty.path) (--data-dir): ") == true)
    #expect(searched.first?.hasSuffix("(a directory named by --data-dir is the only place searched)") == true)
    // The same for CONTINUAL_DATA: the cache's copy is not used in its place.
    environment["CONTINUAL_DATA"] = empty.path
    let environmentError = #expect(throws: DatasetError.self) {
      try DataDirectory.resolve(dataset: .mnist, explicit: nil, environment: environment)
    }
    #expect(environmentError?.description.contains("\(empty.path) (CONTINUAL_DATA): ") == true)
    #expect(environmentError?.description.contains("(user cache):") == false)
  }

  @Test func findsTheSharedLayoutWithOneFolderPerDataset() throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let shared = sandbox.folder("shared/data")
    let mnist = try Fixtures.writeDataset(in: shared.appendingPathComponent("mnist"))
    let fashion = try Fixtures.writeDataset(in: shared.appendingPathComponent("fashion-mnist"))
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: shared, environment: sandbox.environment).path == mnist.path)
    #expect(
      try DataDirectory.resolve(dataset: .fashionMNIST, explicit: shared, environment: sandbox.environment).path
        == fashion.path)
    // The cache may use the same layout.
    let cached = try Fixtures.writeDataset(in: sandbox.cache.appendingPathComponent("mnist"))
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: nil, environment: sandbox.environment).path == cached.path)
  }

  @Test func doesNotMistakeOneDatasetsFolderForTheOther() throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let mnist = try Fixtures.writeDataset(in: sandbox.folder("mnist"))
    #expect(
      try DataDirectory.resolve(dataset: .mnist, explicit: mnist, environment: sandbox.environment).path == mnist.path)
    let error = #expect(throws: DatasetError.self) {
      try DataDirectory.resolve(dataset: .fashionMNIST, explicit: mnist, environment: sandbox.environment)
    }
    #expect(
      error?.description.contains("\(mnist.path) (--data-dir): is the folder of another dataset") == true,
      "\(String(describing: error))")
  }

  @Test func notFoundListsEveryPlaceAndHowToGetTheData() throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let partial = sandbox.folder("partial")
    try Fixtures.writeDataset(in: partial.appendingPathComponent("mnist"))
    try FileManager.default.removeItem(at: partial.appendingPathComponent("mnist/t10k-images-idx3-ubyte.gz"))
    let missing = sandbox.folder("missing")
    var environment = sandbox.environment
    environment["CONTINUAL_DATA"] = missing.path

    let error = #expect(throws: DatasetError.self) {
      try DataDirectory.resolve(dataset: .mnist, explicit: partial, environment: environment)
    }
    guard case .dataNotFound(let dataset, let searched) = error else {
      Issue.record("expected dataNotFound, got \(String(describing: error))")
      return
    }
    #expect(dataset == .mnist)
    // The named directory is the only place searched (CONTINUAL_DATA and the cache are not used).
    #expect(
      searched == [
        "\(partial.path) (--data-dir): has a 'mnist' folder, but it lacks t10k-images-idx3-ubyte[.gz] "
          + "(a directory named by --data-dir is the only place searched)"
      ])
    let message = error?.description ?? ""
    #expect(!message.contains(missing.path) && !message.contains("2. "))
    for expected in [
      "Cannot find the MNIST dataset", "1. \(partial.path) (--data-dir)",
      "https://yann.lecun.com/exdb/mnist/", "--data-dir", "CONTINUAL_DATA=",
    ] {
      #expect(message.contains(expected), "missing “\(expected)” in:\n\(message)")
    }
    #expect(!message.contains("apt-get"))
  }

  @Test func notFoundNotesUnsetOptionsAndSuggestsTheDebianPackage() throws {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let found = try? DataDirectory.resolve(dataset: .fashionMNIST, explicit: nil, environment: sandbox.environment)
    // Only a machine with Debian's dataset-fashion-mnist installed finds it; the message is checked elsewhere.
    guard found == nil else { return }
    let error = #expect(throws: DatasetError.self) {
      try DataDirectory.resolve(dataset: .fashionMNIST, explicit: nil, environment: sandbox.environment)
    }
    let message = error?.description ?? ""
    for expected in [
      "1. --data-dir: not given", "2. CONTINUAL_DATA: not set", "3. \(sandbox.cache.path) (user cache)",
      "4. /usr/share/datasets/fashion-mnist (system package)", "apt-get install dataset-fashion-mnist",
      "fashion-mnist.s3-website.eu-central-1.amazonaws.com",
    ] {
      #expect(message.contains(expected), "missing “\(expected)” in:\n\(message)")
    }
  }
}
