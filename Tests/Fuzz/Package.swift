// swift-tools-version: 6.0
//
// Coverage-guided fuzzers (libFuzzer with AddressSanitizer) for ContinualKit's readers of outside
// data: one executable per reader, a table as in the root package. It is a package of its own so
// that the root package's `swift build` and `swift test` never see it; `.ci/fuzz.sh` builds it with
//
//   swift build -c release --package-path Tests/Fuzz --scratch-path .build/fuzz -Xswiftc -sanitize=fuzzer,address
//
// and runs each target on a copy of its committed seed corpus (`Corpus/<target>`). See
// `Docs/Robustness.md`, "Coverage-guided fuzzing".

import PackageDescription

/// Each fuzzer: its executable name and the ContinualKit libraries it reads with.
let fuzzers: [(name: String, libraries: [String])] = [
  ("fuzz-idx", ["ContinualData"]),
  ("fuzz-idx-dataset", ["ContinualData"]),
  ("fuzz-cifar", ["ContinualData", "ContinualEngine"]),
  ("fuzz-safetensors", ["ContinualEngine"]),
  ("fuzz-json", ["ContinualEngine"]),
  ("fuzz-records", ["ContinualReport", "ContinualCore"]),
  ("fuzz-manifest", ["ContinualCore", "ContinualData", "ContinualEngine"]),
  ("fuzz-saved-model", ["ContinualCore", "ContinualEngine"]),
]

var targets: [Target] = [
  // libFuzzer's driver entry point, `LLVMFuzzerRunDriver`, declared for Swift.
  .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
  .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"], path: "Sources/FuzzSupport"),
  // Writes the seed corpus from ContinualKit's own writers (run without sanitizers; see Tests/Fuzz/README.md).
  .executableTarget(
    name: "fuzz-seeds",
    dependencies: [
      .product(name: "ContinualData", package: "ContinualKit"),
      .product(name: "ContinualEngine", package: "ContinualKit"),
      .product(name: "ContinualCore", package: "ContinualKit"),
      .product(name: "ContinualReport", package: "ContinualKit"),
    ],
    path: "Sources/fuzz-seeds"),
]
for fuzzer in fuzzers {
  targets.append(
    .executableTarget(
      name: fuzzer.name,
      dependencies: ["FuzzSupport"] + fuzzer.libraries.map { .product(name: $0, package: "ContinualKit") },
      path: "Sources/\(fuzzer.name)"))
}

let package = Package(
  name: "ContinualKitFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(name: "ContinualKit", path: "../..")],
  targets: targets
)
