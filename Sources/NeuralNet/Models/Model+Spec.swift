/// A graph model as data, and back.
extension Model {
    /// The model a spec describes, with layer and optimizer types from `registry`. A spec of a
    /// sequential model reads as a chain from one input.
    public convenience init(spec: ModelSpec, registry: Registry = .standard, seed: UInt64 = 0) throws {
        let layers = try spec.makeLayers(registry: registry)
        let graph = try spec.graph ?? Model.chain(spec, layerCount: layers.count)
        let (losses, optimizer, metrics) = try spec.trainingSetup(outputs: graph.outputs.count, registry: registry)
        var nodes: [Node] = graph.inputs.map { Input(shape: $0) }
        for (index, call) in graph.calls.enumerated() {
            guard layers.indices.contains(call.layer), !call.inputs.isEmpty,
                  call.inputs.allSatisfy({ $0 >= 0 && $0 < nodes.count }) else {
                throw NeuralNetError.invalidArgument(
                    "model spec: call \(index) names layer \(call.layer) of 0..<\(layers.count) on nodes \(call.inputs) "
                        + "of 0..<\(nodes.count) (inputs first, then one per earlier call)")
            }
            let inputs = call.inputs.map { nodes[$0] }
            if let merge = layers[call.layer] as? any MergeLayer {
                nodes.append(merge(inputs))
            } else {
                guard inputs.count == 1 else {
                    throw NeuralNetError.invalidArgument("model spec: call \(index): \(layers[call.layer]) takes one input, got \(inputs.count)")
                }
                nodes.append(layers[call.layer](inputs[0]))
            }
        }
        guard graph.outputs.allSatisfy({ $0 >= 0 && $0 < nodes.count }) else {
            throw NeuralNetError.invalidArgument("model spec: outputs \(graph.outputs) must be nodes of 0..<\(nodes.count)")
        }
        self.init(inputs: Array(nodes.prefix(graph.inputs.count)), outputs: graph.outputs.map { nodes[$0] }, losses: losses,
                  lossWeights: spec.lossWeights, optimizer: optimizer, metrics: metrics, seed: seed)
        vocabulary = spec.vocabulary
        if let problem { throw problem }
    }

    /// The graph of a sequential spec: each layer (in `sequence` order) called on the last node.
    private static func chain(_ spec: ModelSpec, layerCount: Int) throws -> GraphSpec {
        guard let shape = spec.inputShape else {
            throw NeuralNetError.invalidArgument("model spec: a sequential spec needs inputShape to be read as a graph model")
        }
        let order = spec.sequence ?? Array(0..<layerCount)
        let calls = order.enumerated().map { GraphSpec.Call(layer: $1, inputs: [$0]) }
        return GraphSpec(inputs: [shape], calls: calls, outputs: [calls.count])
    }

    /// This model as data: layers once each, the graph, losses, optimizer with every
    /// hyperparameter, and metrics.
    public func spec() throws -> ModelSpec {
        let calls = graph.calls.map { GraphSpec.Call(layer: $0.layer, inputs: $0.inputSlots) }
        let sameLoss = Set(losses).count == 1
        var spec = ModelSpec(
            layers: try layers.map(LayerSpec.of), loss: sameLoss ? losses[0].name : nil,
            optimizer: try OptimizerSpec.of(optimizer), metrics: metrics.map(\.name),
            losses: sameLoss ? nil : losses.map(\.name), lossWeights: lossWeights.allSatisfy { $0 == 1 } ? nil : lossWeights,
            graph: GraphSpec(inputs: inputs.map(\.shape), calls: calls, outputs: graph.outputSlots))
        spec.vocabulary = vocabulary
        return spec
    }
}
