import Baselines
import ContinualCore
import EWC
import HNet
import MAS
import SI
import SLNID
import SSIL

/// Every algorithm the tool knows, in the order `continual list` shows them.
///
/// This is the one list a new algorithm is added to (besides `Package.swift`).
nonisolated(unsafe) let registeredAlgorithms: [any Algorithm.Type] = [
  FineTuning.self, JointTraining.self, EWC.self, OnlineEWC.self, SI.self, MAS.self, SLNID.self, SLNI.self, SNID.self, SNI.self,
  L1Rep.self, DeCov.self, ExperienceReplay.self, GlobalDistillation.self, SSIL.self, HNet.self,
]
