import Testing
@testable import NeuralNet

/// Compares the gradients a built `layer` computes (for its input and every parameter) with
/// central finite differences of `Σ output ⊙ w` for fixed random weights `w`. Large tensors are
/// checked at `samples` random elements each. Dropout must be off, so training mode is
/// deterministic.
func expectLayerGradientsMatch(
    _ layer: any Layer, input: Tensor, differentiateInput: Bool = true, samples: Int = 24, step: Float = 1e-2,
    absoluteTolerance: Float = 3e-3, relativeTolerance: Float = 3e-2, sourceLocation: SourceLocation = #_sourceLocation
) {
    var generator = SeededGenerator(seed: 77)
    var weights: Tensor?
    func objective(_ x: Tensor, recording: Bool) -> (Variable, Variable) {
        let leaf = Variable(x, requiresGradient: recording && differentiateInput)
        let output = try! layer.forward(leaf, mode: .training)
        if weights == nil { weights = Tensor(randomUniform: output.shape, in: 0.5..<1.5, using: &generator) }
        return ((output * Variable(weights!)).sum(), leaf)
    }
    let parameters = layer.parametersByPath.filter(\.parameter.isTrainable)
    for (_, parameter) in parameters { parameter.gradient = nil }
    let (loss, leaf) = objective(input, recording: true)
    loss.backward()
    func value(_ x: Tensor) -> Float { Variable.withoutRecording { objective(x, recording: false).0.value.scalar } }

    var picker = SeededGenerator(seed: 5)
    func indices(_ count: Int) -> [Int] {
        count <= samples ? Array(0..<count) : (0..<samples).map { _ in Int(picker.next() % UInt64(count)) }
    }
    func compare(_ exact: Float, _ numeric: Float, _ what: String) {
        let tolerance = absoluteTolerance + relativeTolerance * max(abs(exact), abs(numeric))
        #expect(abs(exact - numeric) <= tolerance, "\(what): tape \(exact), finite difference \(numeric)", sourceLocation: sourceLocation)
    }
    for (name, parameter) in parameters {
        let analytic = parameter.gradient ?? .zeros(parameter.value.shape)
        #expect(analytic.shape == parameter.value.shape, "gradient shape of \(name)", sourceLocation: sourceLocation)
        for i in indices(parameter.count) {
            let original = parameter.value.scalars[i]
            parameter.value.scalars[i] = original + step
            let up = value(input)
            parameter.value.scalars[i] = original - step
            let down = value(input)
            parameter.value.scalars[i] = original
            compare(analytic.scalars[i], (up - down) / (2 * step), "\(name)[\(i)]")
        }
        parameter.gradient = nil
    }
    guard differentiateInput else { return }
    let analytic = leaf.gradient ?? .zeros(input.shape)
    for i in indices(input.count) {
        var shifted = input
        shifted.scalars[i] += step
        let up = value(shifted)
        shifted.scalars[i] -= 2 * step
        compare(analytic.scalars[i], (up - value(shifted)) / (2 * step), "input[\(i)]")
    }
}
