import Foundation

extension Network {
    /// The warnings `fit` writes to standard error once when training begins: for now, an
    /// output that ends in a softmax while its loss expects logits (Keras warns about this too:
    /// the model trains, but slowly and to poor accuracy).
    func setupWarnings() -> [String] {
        zip(lastLayers(), losses).enumerated().compactMap { index, pair in
            let (layer, loss) = pair
            guard loss == .softmaxCrossEntropy || loss == .sparseSoftmaxCrossEntropy, let layer,
                  Self.activation(of: layer)?.kind == .softmax else { return nil }
            let output = losses.count > 1 ? "output \(index)" : "the output"
            return "warning: \(output) ends in a softmax (\(layer)) but the loss \(loss.name) expects logits; "
                + "remove the softmax (the loss applies it), or use .categoricalCrossEntropy on probabilities"
        }
    }

    /// The activation a layer ends with, if it is one of the kinds that carry one.
    private static func activation(of layer: any Layer) -> Activation? {
        switch layer {
        case let activation as Activation: activation
        case let dense as Dense: dense.activation
        case let convolution as Conv2D: convolution.activation
        default: nil
        }
    }

    /// The layer that computes each output, when known.
    private func lastLayers() -> [(any Layer)?] {
        if let sequential = self as? Sequential { return [sequential.layers.last] }
        guard let model = self as? Model else { return losses.map { _ in nil } }
        return model.graph.outputSlots.map { slot in
            slot < model.inputs.count || slot < 0 ? nil : model.layers[model.graph.calls[slot - model.inputs.count].layer]
        }
    }
}
