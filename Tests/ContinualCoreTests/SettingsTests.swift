import ContinualCore
import Testing

@Suite struct SettingsTests {
  enum Labels: String, CaseIterable { case expected, sampled, predicted, empirical }
  static let lambda = Setting<Double>("lambda", default: 5000, "strength", in: 0...10_000)
  static let labels = Setting<Labels>("labels", default: .expected, "label mode")
  static let samples = Setting<Int>("samples", default: 0, "sample count", in: 0...100)
  static let vdv2019 = Setting<Bool>("vdv2019", default: false, "normalisation")
  static let declared: [Hyperparameter] = [
    lambda.declaration, labels.declaration, samples.declaration, vdv2019.declaration,
  ]

  @Test func defaultsAreFilledIn() throws {
    let settings = try Settings(component: "ewc", declared: Self.declared, given: [:])
    #expect(settings.component == "ewc")
    #expect(settings.values == ["lambda": "5000", "labels": "expected", "samples": "0", "vdv2019": "false"])
    #expect(settings[Self.lambda] == 5000)
    #expect(settings[Self.labels] == .expected)
    #expect(settings[Self.samples] == 0)
    #expect(settings[Self.vdv2019] == false)
  }

  @Test func givenValuesOverrideDefaults() throws {
    let settings = try Settings(
      component: "ewc", declared: Self.declared,
      given: ["lambda": "2.5", "labels": "empirical", "samples": "7", "vdv2019": "true"])
    #expect(settings[Self.lambda] == 2.5)
    #expect(settings[Self.labels] == .empirical)
    #expect(settings[Self.samples] == 7)
    #expect(settings[Self.vdv2019])
  }

  @Test func unknownKeySuggestsTheNearestName() throws {
    #expect {
      _ = try Settings(component: "ewc", declared: Self.declared, given: ["lamda": "1"])
    } throws: { error in
      guard let error = error as? SettingsError else { return false }
      let expected = SettingsError.unknownKey(
        key: "ewc.lamda", valid: ["ewc.lambda", "ewc.labels", "ewc.samples", "ewc.vdv2019"], suggestion: "ewc.lambda")
      return error == expected && error.description.contains("did you mean 'ewc.lambda'?")
        && error.description.contains("ewc.vdv2019")
    }
  }

  @Test func unknownKeyFarFromEveryNameHasNoSuggestion() throws {
    #expect {
      _ = try Settings(component: "ewc", declared: Self.declared, given: ["temperature": "2"])
    } throws: { error in
      guard case SettingsError.unknownKey(let key, _, let suggestion) = error else { return false }
      return key == "ewc.temperature" && suggestion == nil && !"\(error)".contains("did you mean")
    }
  }

  @Test func componentWithoutSettingsSaysSo() throws {
    #expect {
      _ = try Settings(component: "finetune", declared: [], given: ["lambda": "1"])
    } throws: { error in
      "\(error)".contains("takes no settings")
    }
  }

  @Test(arguments: [
    ("lambda", "-1", "a number in [0, 10000]"),
    ("lambda", "strong", "a number in [0, 10000]"),
    ("labels", "fisher", "one of expected, sampled, predicted, empirical"),
    ("samples", "1.5", "a whole number in [0, 100]"),
    ("samples", "101", "a whole number in [0, 100]"),
    ("vdv2019", "yes", "true or false"),
  ])
  func invalidValuesListTheValidOnes(name: String, value: String, expected: String) throws {
    #expect {
      _ = try Settings(component: "ewc", declared: Self.declared, given: [name: value])
    } throws: { error in
      guard let error = error as? SettingsError else { return false }
      return error == .invalidValue(key: "ewc.\(name)", value: value, expected: expected)
        && error.description == "invalid value '\(value)' for ewc.\(name): expected \(expected)"
    }
  }

  @Test func nearestNameByEditDistance() {
    #expect(nearest("lamda", in: ["lambda", "gamma"]) == "lambda")
    #expect(nearest("GAMMA", in: ["lambda", "gamma"]) == "gamma")
    #expect(nearest("samplez", in: ["samples", "labels"]) == "samples")
    #expect(nearest("xyzzy", in: ["lambda", "gamma"]) == nil)
    #expect(nearest("anything", in: []) == nil)
  }
}

/// Typed settings: one spelling per value, typed reads, and the declaration is the only way in.
@Suite struct TypedSettingsTests {
  /// `1e-3`, `0.001` and `.001` are one configuration; whole reals and integers lose their noise.
  @Test func valuesHaveOneSpelling() throws {
    let declared = [SettingsTests.lambda.declaration, SettingsTests.samples.declaration]
    for spelling in ["1e-3", "0.001", ".001", "1.0e-3"] {
      #expect(
        try Settings(component: "x", declared: declared, given: ["lambda": spelling]).values["lambda"] == "0.001",
        "\(spelling)")
    }
    #expect(
      try Settings(component: "x", declared: declared, given: ["lambda": "5e2", "samples": "007"]).values == [
        "lambda": "500", "samples": "7",
      ])
    #expect(
      Hyperparameter.canonical(1e-5) == "1e-05" && Hyperparameter.canonical(2.5) == "2.5"
        && Hyperparameter.canonical(1e15) == "1e+15"
        && Hyperparameter.canonical(123_456) == "123456")
  }

  /// Each kind's declaration describes it for `continual list` and validation, and reads back typed.
  @Test func declarationsDescribeTheirKind() throws {
    let widths = Setting<[Int]>("hidden", default: [10, 10], "widths", eachIn: 1...100)
    #expect(widths.declaration.defaultValue == "10,10" && widths.declaration.kind == .integers(1...100))
    #expect(SettingsTests.labels.declaration.kind == .choice(["expected", "sampled", "predicted", "empirical"]))
    let settings = try Settings(component: "x", declared: [widths.declaration], given: ["hidden": "none"])
    #expect(settings[widths] == [] && widths.defaultValue == [10, 10])
    let float = Setting<Float>("c", default: 0.1, "c", in: 0...1)
    #expect(float.declaration.defaultValue == "0.1" && float.defaultValue == Float(0.1))
  }

  /// An algorithm is one configuration value; `settings(_:)` validates against it.
  @Test func anAlgorithmIsItsConfiguration() throws {
    enum Toy: Algorithm {
      static let strength = Setting<Float>("strength", default: 2, "how hard", in: 0...10)
      static let configuration = AlgorithmConfiguration(name: "toy", summary: "a toy", settings: [strength])
      static func components(_ settings: Settings) throws -> AlgorithmComponents { AlgorithmComponents() }
    }
    #expect(Toy.name == "toy" && Toy.summary == "a toy" && Toy.hyperparameters.map(\.name) == ["strength"])
    #expect(try Toy.settings()[Toy.strength] == 2 && Toy.settings(["strength": "3"])[Toy.strength] == 3)
    #expect(throws: SettingsError.self) { try Toy.settings(["strenght": "3"]) }
    let unread = try Settings(component: "toy", declared: [], given: [:])
    #expect(
      unread.valueOrDefault(Toy.strength) == 2, "a family's shared setting that one member leaves out reads its default"
    )
  }
}
