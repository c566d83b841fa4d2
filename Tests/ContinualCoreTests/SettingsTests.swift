import ContinualCore
import Testing

@Suite struct SettingsTests {
  static let declared: [Hyperparameter] = [
    Hyperparameter("lambda", default: "5000", "strength", kind: .real(0...10_000)),
    Hyperparameter("labels", default: "expected", "label mode", kind: .choice(["expected", "sampled", "predicted", "empirical"])),
    Hyperparameter("samples", default: "0", "sample count", kind: .integer(0...100)),
    Hyperparameter("vdv2019", default: "false", "normalisation", kind: .boolean),
  ]

  @Test func defaultsAreFilledIn() throws {
    let settings = try Settings(component: "ewc", declared: Self.declared, given: [:])
    #expect(settings.component == "ewc")
    #expect(settings.values == ["lambda": "5000", "labels": "expected", "samples": "0", "vdv2019": "false"])
    #expect(settings.real("lambda") == 5000 && settings.float("lambda") == 5000)
    #expect(settings.word("labels") == "expected")
    #expect(settings.integer("samples") == 0)
    #expect(settings.boolean("vdv2019") == false)
  }

  @Test func givenValuesOverrideDefaults() throws {
    let settings = try Settings(
      component: "ewc", declared: Self.declared, given: ["lambda": "2.5", "labels": "empirical", "samples": "7", "vdv2019": "true"])
    #expect(settings.real("lambda") == 2.5)
    #expect(settings.word("labels") == "empirical")
    #expect(settings.integer("samples") == 7)
    #expect(settings.boolean("vdv2019"))
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
