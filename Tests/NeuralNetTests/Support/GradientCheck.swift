import Testing
@testable import NeuralNet

/// Compares the tape's gradients of `function` with central finite differences.
///
/// `function` maps leaf variables (one per tensor in `inputs`) to any output; a non-scalar
/// output is reduced with fixed random weights, so every output element's gradient is checked.
/// Float32 limits the precision: differences use a step of `step` and pass within
/// `absoluteTolerance + relativeTolerance · max(|analytic|, |numeric|)`.
func expectGradientsMatch(
    _ inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Float = 2e-3, relativeTolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Variable]) -> Variable
) {
    var generator = SeededGenerator(seed: 99)
    var weights: Tensor?
    func objective(_ variables: [Variable]) -> Variable {
        let output = function(variables)
        if output.value.count == 1 { return output.reshaped(to: []) }
        if weights == nil { weights = Tensor(randomUniform: output.shape, in: 0.5..<1.5, using: &generator) }
        return (output * Variable(weights!)).sum()
    }

    let variables = inputs.map { Variable($0, requiresGradient: true) }
    objective(variables).backward()

    for (which, input) in inputs.enumerated() {
        let analytic = variables[which].gradient ?? Tensor.zeros(input.shape)
        #expect(analytic.shape == input.shape, "gradient shape of input \(which)", sourceLocation: sourceLocation)
        for i in 0..<input.count {
            func value(at offset: Float) -> Float {
                var shifted = inputs
                shifted[which].scalars[i] += offset
                return objective(shifted.map { Variable($0) }).value.scalar
            }
            let numeric = (value(at: step) - value(at: -step)) / (2 * step)
            let exact = analytic.scalars[i]
            let tolerance = absoluteTolerance + relativeTolerance * max(abs(exact), abs(numeric))
            #expect(
                abs(exact - numeric) <= tolerance,
                "input \(which), element \(i): tape \(exact), finite difference \(numeric)",
                sourceLocation: sourceLocation)
        }
    }
}

/// A reproducible random tensor for tests.
func randomTensor(_ shape: [Int], in range: Range<Float> = -1..<1, seed: UInt64 = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(randomUniform: shape, in: range, using: &generator)
}

/// Whether every element of `a` is within `tolerance` of `b`.
func isClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-5) -> Bool {
    a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}
