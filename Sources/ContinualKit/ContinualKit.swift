// One import for the whole library: the engine, data, core, tables, the command and every
// built-in algorithm. The test kit (`ContinualTesting`) is a product of its own, for test targets.
@_exported import Baselines
@_exported import ContinualCommand
@_exported import ContinualCore
@_exported import ContinualData
@_exported import ContinualEngine
@_exported import ContinualReport
@_exported import EWC
@_exported import HNet
@_exported import ICaRL
@_exported import MAS
@_exported import SI
@_exported import SLNID
@_exported import SSIL
