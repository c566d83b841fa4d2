// swift-tools-version: 6.0
//
// ContinualKit is laid out as a table: one library target per architectural layer, one target per
// continual-learning algorithm (from the `algorithms` list), and a test target beside each.
// The package has no package dependencies: only the Swift toolchain and the system zlib.

import PackageDescription

/// Continual-learning algorithms: each lives in `Sources/Algorithms/<Name>` and is tested in
/// `Tests/Algorithms/<Name>Tests`. An algorithm of this repository is its folder, an entry here (its
/// target, test target and product) and one in `BuiltInAlgorithms.all` (the command's list); the
/// `new-algorithm` plugin writes all three. In a package of your own it is the folder and its name in
/// your `main.swift`.
let algorithms: [String] = ["Baselines", "EWC", "SI", "MAS", "SLNID", "SSIL", "HNet", "LwF", "DER", "AGEM", "ICaRL"]

/// A layer: its library target in `Sources/<name>` and, beside it, its test target in `Tests/<tests>`, which
/// also uses the shared test kit.
func layer(
  _ name: String, dependencies: [Target.Dependency], tests: String? = nil, testsExclude: [String] = []
) -> [Target] {
  let tests = tests ?? "\(name)Tests"
  return [
    .target(name: name, dependencies: dependencies, path: "Sources/\(name)"),
    .testTarget(
      name: tests, dependencies: [.target(name: name), "ContinualTesting"], path: "Tests/\(tests)",
      exclude: testsExclude),
  ]
}

// Implementation detail: portable C kernels with runtime CPU dispatch (AVX2/FMA where present).
var targets: [Target] = [.target(name: "_ContinualKernels", path: "Sources/_ContinualKernels")]
targets += layer("ContinualEngine", dependencies: ["_ContinualKernels"])
// The system zlib (present wherever Swift is installed), for gzipped IDX files.
targets.append(
  .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]))
targets += layer("ContinualData", dependencies: ["ContinualEngine", "CZlib"])
targets += layer(
  "ContinualCore", dependencies: ["ContinualEngine", "ContinualData"], testsExclude: ["pytorch-reference-tensors.txt"])
targets += layer("ContinualReport", dependencies: ["ContinualCore"])
// The command line as a library: grids, stacks, presets, run ids, records, resume, shards and
// tables, with one public entry point, `ContinualCommand.main(algorithms:)`; tested in-process.
targets += layer(
  "ContinualCommand",
  dependencies: ["ContinualCore", "ContinualData", "ContinualEngine", "ContinualReport"]
    + algorithms.map { .target(name: $0) },
  tests: "ContinualCommandLineTests", testsExclude: ["Configuration/golden-plans.txt"])
targets += [
  // The shared test kit: gradient checks and deterministic data, used by every test target.
  .target(
    name: "ContinualTesting", dependencies: ["ContinualEngine", "ContinualData", "ContinualCore"],
    path: "Sources/ContinualTesting"),
  .executableTarget(name: "continual", dependencies: ["ContinualCommand"], path: "Sources/continual"),
  // One import for everything but the test kit: `import ContinualKit`.
  .target(
    name: "ContinualKit",
    dependencies: ["ContinualEngine", "ContinualData", "ContinualCore", "ContinualReport", "ContinualCommand"]
      + algorithms.map { .target(name: $0) },
    path: "Sources/ContinualKit"
  ),
  .executableTarget(
    name: "continual-bench",
    dependencies: ["ContinualEngine", "ContinualData", "ContinualCore", "HNet", "SLNID"],
    path: "Sources/continual-bench",
    // The plain-PyTorch reference scripts the benchmark runs beside ours, and a C micro-benchmark of the kernels.
    exclude: ["Reference", "Kernels"]
  ),
]

for name in algorithms {
  targets.append(
    .target(name: name, dependencies: ["ContinualCore", "ContinualEngine"], path: "Sources/Algorithms/\(name)"))
  targets.append(
    .testTarget(
      name: "\(name)Tests", dependencies: [.target(name: name), "ContinualTesting"],
      path: "Tests/Algorithms/\(name)Tests"))
}

// Command plugins (see Plugins/README.md), here and, as products, in a package that depends on ContinualKit:
// `swift package --allow-writing-to-package-directory new-algorithm <Name>` scaffolds and registers an
// algorithm from Templates/Algorithm; `swift package compare …` runs `<tool> compare` from a release build.
targets += [
  .plugin(
    name: "NewAlgorithm",
    capability: .command(
      intent: .custom(
        verb: "new-algorithm", description: "Scaffold an algorithm <Name> and its tests, and register it"),
      permissions: [
        .writeToPackageDirectory(
          reason: "writes the new algorithm's folders and registers it in Package.swift and the command's list")
      ]
    ),
    path: "Plugins/NewAlgorithm"
  ),
  .plugin(
    name: "Compare",
    capability: .command(
      intent: .custom(
        verb: "compare", description: "Build the command in release and run its `compare` with the arguments")),
    path: "Plugins/Compare"
  ),
]

/// Every library a package of yours can depend on, one product each: the layers, the test kit,
/// the command, each algorithm, and `ContinualKit`, which re-exports all but the test kit.
let libraries =
  ["ContinualEngine", "ContinualData", "ContinualCore", "ContinualReport", "ContinualTesting", "ContinualCommand"]
  + algorithms
  + ["ContinualKit"]

let package = Package(
  name: "ContinualKit",
  platforms: [.macOS(.v13)],
  products: libraries.map { .library(name: $0, targets: [$0]) } + [
    .executable(name: "continual", targets: ["continual"]),
    .executable(name: "continual-bench", targets: ["continual-bench"]),
    // The command plugins as products, so a package that depends on ContinualKit has them too:
    // `swift package new-algorithm Mine` writes into that package, `swift package compare` runs its tool.
    .plugin(name: "NewAlgorithm", targets: ["NewAlgorithm"]),
    .plugin(name: "Compare", targets: ["Compare"]),
  ],
  targets: targets
)
