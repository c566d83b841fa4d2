import AGEM
import Baselines
import ContinualCore
import DER
import EWC
import HNet
import ICaRL
import LwF
import MAS
import SI
import SLNID
import SSIL

/// The algorithms that ship with ContinualKit, in the order `continual list` shows them.
///
/// A package of your own passes these with its own to the command:
///
/// ```swift
/// ContinualCommand.main(algorithms: BuiltInAlgorithms.all + [MyPenalty.self])
/// ```
///
/// Inside this repository, this is the one list a new algorithm is added to (besides
/// `Package.swift`); the `new-algorithm` plugin does both.
public enum BuiltInAlgorithms {
  /// Every built-in algorithm.
  public static let all: [any Algorithm.Type] = [
    FineTuning.self, JointTraining.self, EWC.self, OnlineEWC.self, SI.self, MAS.self, SLNID.self, SLNI.self, SNID.self,
    SNI.self,
    L1Rep.self, DeCov.self, ExperienceReplay.self, GlobalDistillation.self, SSIL.self, HNet.self,
    LwF.self, DER.self, DERPlusPlus.self, AGEM.self, ICaRL.self,
  ]
}
