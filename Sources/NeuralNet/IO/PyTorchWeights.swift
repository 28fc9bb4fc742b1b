import Foundation

/// Whose layout a weights file follows.
public enum WeightConvention: Sendable, Equatable {
    /// NeuralNet's own: parameters by path (`"1.weight"`), Dense weights `[in, out]`, kernels
    /// `[kH, kW, in, out]`.
    case neuralnet
    /// A PyTorch `state_dict` saved with safetensors: `Linear.weight` `[out, in]`,
    /// `Conv2d.weight` `[out, in, kH, kW]`, BatchNorm's `weight`, `bias`, `running_mean`,
    /// `running_var` (`num_batches_tracked` ignored), and images flattened channels first;
    /// `Embedding.weight`, `LayerNorm.weight`/`bias`, `nn.LSTM` and `nn.GRU` (one NeuralNet layer
    /// per PyTorch layer: `weight_ih_l0`, `weight_ih_l1`, ...; batch-first, one direction), and
    /// `nn.MultiheadAttention` (`in_proj_weight`, `in_proj_bias`, `out_proj`).
    case pytorch
}

extension Network {
    /// Replaces the parameters with those of a weights file of `convention`: for `.pytorch`, a
    /// `state_dict` saved by `safetensors.torch.save_file(model.state_dict(), path)` from an
    /// equivalent PyTorch model.
    ///
    /// PyTorch tensors are matched to this model's layers with parameters in order (Dense,
    /// Conv2D, BatchNorm, in the order data reaches them): the file's modules in the order its
    /// metadata key `"order"` lists them when present, otherwise by name with numbers compared as
    /// numbers (`conv1`, `conv2`, `fc1`; `features.2`, `features.10`). They are transposed to
    /// NeuralNet's layouts, and the first Dense after a Flatten of images gets its rows reordered
    /// from PyTorch's channels-first flattening. F16 and BF16 tensors are converted. A count or
    /// shape that does not fit is an error listing both sides.
    public func loadWeights(from url: URL, convention: WeightConvention) throws {
        switch convention {
        case .neuralnet: try loadWeights(from: url.path)
        case .pytorch: try loadPyTorchWeights(from: url.path)
        }
    }

    private func loadPyTorchWeights(from path: String) throws {
        try build()
        let (tensors, metadata) = try SafeTensors.read(from: path)
        func fail(_ reason: String) -> NeuralNetError { .invalidFile(path: path, reason: reason) }
        let modules = PyTorchModule.group(tensors, order: metadata["order"])
        let uses = layerUses().filter { !$0.layer.parametersByPath.isEmpty }
        guard modules.count == uses.count else {
            throw fail("the file has \(modules.count) modules with parameters (\(modules.map(\.name).joined(separator: ", "))), "
                + "the model \(uses.count) layers with parameters (\(uses.map { "\($0.layer)" }.joined(separator: ", ")))")
        }
        var converted: [String: Tensor] = [:]
        let names = Dictionary(namedParameters.map { (ObjectIdentifier($0.parameter), $0.name) }, uniquingKeysWith: { a, _ in a })
        for (module, use) in zip(modules, uses) {
            let pairs: [(Parameter, Tensor)]
            do { pairs = try module.parameters(for: use) } catch { throw fail("\(module.name) → \(use.layer): \(error)") }
            for (parameter, tensor) in pairs {
                guard let name = names[ObjectIdentifier(parameter)] else { continue }
                guard tensor.shape == parameter.shape else {
                    throw fail("\(module.name) → \(use.layer) \(name): the file gives \(tensor.shape), the model has \(parameter.shape)")
                }
                converted[name] = tensor
            }
        }
        try loadWeights(converted.map { ($0.key, $0.value) }, source: path)
    }

    /// Each layer at its first use, in the order data reaches it, with the per-sample shape it
    /// receives and the layer (and its input shape) that produced that input, if any.
    func layerUses() -> [LayerUse] {
        if let sequential = self as? Sequential {
            var uses: [LayerUse] = []
            let shape = sequential.inputShape ?? []
            for (index, layer) in sequential.layers.enumerated() where sequential.firstPlaces[index] == index {
                let producer = index > 0 ? (sequential.layers[index - 1], index > 1 ? sequential.outputShapes[index - 2] : shape) : nil
                uses.append(LayerUse(layer: layer, inputShape: index > 0 ? sequential.outputShapes[index - 1] : shape, producer: producer))
            }
            return uses
        }
        guard let model = self as? Model else { return [] }
        let graph = model.graph
        return graph.calls.enumerated().filter { $0.element.label == String($0.element.layer) }.map { index, call in
            let slot = call.inputSlots[0]
            let producer = slot < graph.inputs.count ? nil : graph.calls[slot - graph.inputs.count]
            return LayerUse(
                layer: model.layers[call.layer], inputShape: model.nodeShapes[slot],
                producer: producer.map { (model.layers[$0.layer], model.nodeShapes[$0.inputSlots[0]]) })
        }
    }
}

/// A layer where data first reaches it (see `Network.layerUses`).
struct LayerUse {
    let layer: any Layer
    let inputShape: [Int]
    let producer: (layer: any Layer, inputShape: [Int])?
}
