// `continual` with your algorithm beside the built-in ones: `swift run -c release my-continual list`.
import ContinualCommand
import MyPenalty

ContinualCommand.main(algorithms: BuiltInAlgorithms.all + [MyPenalty.self])
