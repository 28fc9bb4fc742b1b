/// A sequential model as data, and back.
extension Sequential {
    /// The model a spec describes, with layer and optimizer types from `registry`.
    /// A spec of a graph that is a plain chain (one input, one output, each call on the
    /// previous node) also reads as a sequential model.
    public convenience init(spec: ModelSpec, registry: Registry = .standard, seed: UInt64 = 0) throws {
        let (losses, optimizer, metrics) = try spec.trainingSetup(outputs: 1, registry: registry)
        let layers = try spec.makeLayers(registry: registry)
        var order = spec.sequence ?? Array(layers.indices)
        var inputShape = spec.inputShape
        if let graph = spec.graph {
            let isChain = graph.inputs.count == 1 && graph.outputs == [graph.calls.count]
                && graph.calls.enumerated().allSatisfy { $1.inputs == [$0] }
            guard isChain else {
                throw NeuralNetError.invalidArgument(
                    "this model is a graph, not a chain of layers; load it with Model.load(from:) or Model(spec:)")
            }
            order = graph.calls.map(\.layer)
            inputShape = graph.inputs[0]
        }
        guard order.allSatisfy(layers.indices.contains) else {
            throw NeuralNetError.invalidArgument("model spec: sequence \(order) names layers outside 0..<\(layers.count)")
        }
        self.init(order.map { layers[$0] }, inputShape: inputShape, loss: losses[0], optimizer: optimizer,
                  metrics: metrics, seed: seed)
        vocabulary = spec.vocabulary
    }

    /// This model as data: layers, input shape, loss, optimizer with every hyperparameter, and
    /// metrics. A layer object placed several times is written once, with `sequence`.
    public func spec() throws -> ModelSpec {
        let firsts = firstPlaces
        let unique = layers.indices.filter { firsts[$0] == $0 }
        let uniqueIndex = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, $0) })
        var spec = ModelSpec(
            layers: try unique.map { try LayerSpec.of(layers[$0]) }, inputShape: inputShape, loss: loss.name,
            optimizer: try OptimizerSpec.of(optimizer), metrics: metrics.map(\.name),
            sequence: unique.count == layers.count ? nil : firsts.map { uniqueIndex[$0]! })
        spec.vocabulary = vocabulary
        return spec
    }
}
