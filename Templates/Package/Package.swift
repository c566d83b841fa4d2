// swift-tools-version: 6.0
// Your own continual-learning package, built on ContinualKit: your algorithms (MyPenalty to start
// with), their tests with ContinualKit's shared checks, your data as a benchmark (MyBenchmarks, with a
// network and a preset), and your own command, `my-continual`, which knows them all beside ContinualKit's
// built-in ones. See README.md.
import PackageDescription

/// Your algorithms: each is `Sources/<Name>`, tested in `Tests/<Name>Tests`, and listed in
/// `Sources/my-continual/main.swift`. `swift package --allow-writing-to-package-directory
/// new-algorithm <Name>` writes the folders and adds the name here and in `main.swift`.
let algorithms: [String] = ["MyPenalty"]

/// ContinualKit's products an algorithm builds on.
let kit: [Target.Dependency] = [
  .product(name: "ContinualCore", package: "ContinualKit"),
  .product(name: "ContinualEngine", package: "ContinualKit"),
]

var targets: [Target] = [
  // Your command: ContinualKit's whole `continual` tool with your algorithms, benchmarks, networks and
  // presets in every list, stack, table and preset.
  .executableTarget(
    name: "my-continual",
    dependencies: algorithms.map { .target(name: $0) } + [
      "MyBenchmarks", .product(name: "ContinualCommand", package: "ContinualKit"),
    ]
  ),
  // Your data, as a benchmark, with a network and a preset.
  .target(
    name: "MyBenchmarks",
    dependencies: [
      .product(name: "ContinualCommand", package: "ContinualKit"),
      .product(name: "ContinualData", package: "ContinualKit"),
    ] + kit
  ),
  .testTarget(
    name: "MyBenchmarksTests",
    dependencies: ["MyBenchmarks", .product(name: "ContinualData", package: "ContinualKit")]
  ),
]

for name in algorithms {
  targets.append(.target(name: name, dependencies: kit))
  // ContinualKit's shared conformance checks (ContinualTesting), and EWC to stack with.
  targets.append(
    .testTarget(
      name: "\(name)Tests",
      dependencies: [
        .target(name: name),
        .product(name: "ContinualTesting", package: "ContinualKit"),
        .product(name: "EWC", package: "ContinualKit"),
      ] + kit
    ))
}

let package = Package(
  name: "MyContinualLab",
  platforms: [.macOS(.v13)],
  dependencies: [
    // ContinualKit, by path: its checkout (a clone or a copy of the repository) in the folder
    // `ContinualKit` beside this package. Any path works, absolute or relative; it has no registry entry.
    .package(name: "ContinualKit", path: "../ContinualKit")
  ],
  targets: targets
)
