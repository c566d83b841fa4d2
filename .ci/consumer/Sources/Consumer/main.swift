// Trains a tiny network for a few steps with ContinualKit's public API and checks the loss falls.
import ContinualEngine

var rng = SeededGenerator(seed: 1)
var model = Model(Sequential([Linear(2, 8), ReLU(), Linear(8, 2)]), rng: &rng)
let inputs = try Tensor(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
let labels = [0, 1, 1, 0]
var adam = Adam(learningRate: 0.05)
var losses: [Float] = []
for _ in 0..<200 {
  let tape = Tape()
  let pass = try model.forward(tape.constant(inputs), on: tape, training: true)
  let loss = try crossEntropy(logits: pass.output, labels: labels)
  losses.append(loss.value.scalar)
  try adam.update(&model.parameters, along: pass.gradients(of: loss))
}
print("consumer: XOR loss \(losses.first!) → \(losses.last!)")
guard losses.last! < 0.1 * losses.first! else { fatalError("consumer: the loss did not fall") }
