// swift-tools-version: 6.0
// Your own continual-learning package, built on ContinualKit: one algorithm (MyPenalty), its tests
// with ContinualKit's shared checks, and your own `continual` command that knows it beside every
// built-in algorithm. See README.md.
import PackageDescription

let package = Package(
  name: "MyContinualLab",
  platforms: [.macOS(.v13)],
  dependencies: [
    // ContinualKit, here as a clone beside this package. From its repository instead:
    // .package(url: "https://github.com/<owner>/ContinualKit.git", branch: "main"),
    .package(name: "ContinualKit", path: "../ContinualKit")
  ],
  targets: [
    // Your algorithm: a regulariser and the `Algorithm` that puts it on the command line.
    .target(
      name: "MyPenalty",
      dependencies: [
        .product(name: "ContinualCore", package: "ContinualKit"),
        .product(name: "ContinualEngine", package: "ContinualKit"),
      ]
    ),
    // Your command: `continual` with MyPenalty in every list, stack, table and preset.
    .executableTarget(
      name: "my-continual",
      dependencies: ["MyPenalty", .product(name: "ContinualCommand", package: "ContinualKit")]
    ),
    // The shared conformance checks, and a run stacked with EWC.
    .testTarget(
      name: "MyPenaltyTests",
      dependencies: [
        "MyPenalty",
        .product(name: "ContinualTesting", package: "ContinualKit"),
        .product(name: "EWC", package: "ContinualKit"),
      ]
    ),
  ]
)
