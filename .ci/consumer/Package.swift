// swift-tools-version: 6.0
// A package that depends on ContinualKit by path, built in CI to prove that dependents can use it
// (no unsafe flags, public API usable from outside).
import PackageDescription

let package = Package(
  name: "Consumer",
  dependencies: [.package(name: "ContinualKit", path: "../..")],
  targets: [
    .executableTarget(
      name: "Consumer",
      dependencies: [.product(name: "ContinualEngine", package: "ContinualKit")],
      path: "Sources/Consumer"
    )
  ]
)
