// continual: run continual-learning algorithms on benchmarks and write comparison tables.
// The command is the ContinualCommand library; a package of your own can run it with its own
// algorithms in the same way (see Templates/Package).
import ContinualCommand

ContinualCommand.main(algorithms: BuiltInAlgorithms.all)
