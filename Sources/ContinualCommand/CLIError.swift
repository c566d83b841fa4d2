/// A problem with the command line or the configuration, reported without a stack trace.
struct CLIError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
