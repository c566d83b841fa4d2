import ContinualCore
import ContinualEngine
import Foundation
import Testing

@testable import ContinualCommand

/// `--zero-output-layer`: the network's output layer starts at zero (SI's CIFAR code), the hidden
/// layers keep their initialisation, the record says so, and a stack that builds its own network
/// is told the option cannot reach it.
@Suite struct ZeroOutputLayerTests {
  static func prepared(_ arguments: [String]) throws -> PreparedRun {
    try PreparedRun.parsing(["--benchmark", "split-builtin", "--hidden", "16"] + arguments)
  }

  @Test func theOutputLayerStartsAtZeroAndTheOthersDoNot() throws {
    var rng = SeededGenerator(seed: 1)
    let zeroed = Model(try Self.prepared(["--zero-output-layer"]).architecture, rng: &rng)
    let names = zeroed.parameters.names
    #expect(names.suffix(2) == ["3.weight", "3.bias"], "\(names)")
    for (name, tensor) in zip(names, zeroed.parameters.tensors) {
      let zero = tensor.scalars.allSatisfy { $0 == 0 }
      #expect(zero == name.hasPrefix("3."), "\(name)")
    }
    var again = SeededGenerator(seed: 1)
    let plain = Model(try Self.prepared([]).architecture, rng: &again)
    #expect(plain.parameters.tensors.last!.scalars.contains { $0 != 0 })
  }

  @Test func theRecordNamesItOnlyWhenOn() throws {
    let benchmark = try Benchmark(named: "split-builtin")
    let on = try Parsing.options(["--zero-output-layer"]).protocolConfig(benchmark: benchmark, scenario: .task)
    let off = try Parsing.options([]).protocolConfig(benchmark: benchmark, scenario: .task)
    #expect(on["zero_output_layer"] == "true" && off["zero_output_layer"] == nil)
    #expect(try Parsing.options(["--preset", "si2017-split-cifar"]).zeroOutputLayer)
  }

  @Test func aStackWithItsOwnNetworkIsRefused() {
    #expect {
      _ = try Self.prepared(["--zero-output-layer", "--algorithms", "hnet", "--scenario", "task"])
    } throws: { error in
      "\(error)".contains("--zero-output-layer: hnet builds its own network")
    }
  }
}
