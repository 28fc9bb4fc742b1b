import Foundation

/// The tensors of one PyTorch module in a `state_dict` (`conv1.weight`, `conv1.bias`), and how
/// they become the parameters of the matching NeuralNet layer.
struct PyTorchModule {
    /// The module's path (`"conv1"`, `"features.0"`).
    let name: String
    /// Its tensors by their last name part (`"weight"`, `"running_mean"`).
    var tensors: [String: Tensor]

    /// The modules of `tensors` in order: as listed in `order` (comma-separated tensor or module
    /// names) when given, else by name with numeric parts compared as numbers.
    /// `num_batches_tracked` counters are dropped.
    static func group(_ tensors: [(name: String, tensor: Tensor)], order: String?) -> [PyTorchModule] {
        var modules: [String: PyTorchModule] = [:]
        for (name, tensor) in tensors {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            let field = String(parts.last ?? "")
            guard field != "num_batches_tracked" else { continue }
            let module = parts.dropLast().joined(separator: ".")
            modules[module, default: PyTorchModule(name: module, tensors: [:])].tensors[field] = tensor
        }
        mergeAttentionOutputs(&modules)
        var ranked: [String: Int] = [:]
        if let order {
            for item in order.split(separator: ",") {
                let text = item.trimmingCharacters(in: .whitespaces)
                let module = modules[text] != nil ? text : text.split(separator: ".").dropLast().joined(separator: ".")
                if ranked[module] == nil { ranked[module] = ranked.count }
            }
        }
        let sorted = modules.values.sorted { a, b in
            switch (ranked[a.name], ranked[b.name]) {
            case let (x?, y?): x < y
            case (_?, nil): true
            case (nil, _?): false
            case (nil, nil): naturalOrder(a.name, b.name)
            }
        }
        return sorted.flatMap { $0.recurrentLayers() }
    }

    /// `nn.MultiheadAttention` keeps its output projection in a child module `out_proj`: its
    /// tensors join the attention module's as `out_proj.weight` and `out_proj.bias`.
    private static func mergeAttentionOutputs(_ modules: inout [String: PyTorchModule]) {
        for (name, module) in modules where module.tensors["in_proj_weight"] != nil {
            guard let output = modules.removeValue(forKey: name.isEmpty ? "out_proj" : name + ".out_proj") else { continue }
            for (field, tensor) in output.tensors { modules[name]!.tensors["out_proj." + field] = tensor }
        }
    }

    /// A multi-layer `nn.LSTM` or `nn.GRU` (`weight_ih_l0`, `weight_ih_l1`, ...) as one module
    /// per layer with the suffix dropped, in layer order; any other module as it is.
    func recurrentLayers() -> [PyTorchModule] {
        var layers: [Int: [String: Tensor]] = [:]
        for (field, tensor) in tensors {
            guard let range = field.range(of: "_l", options: .backwards), let index = Int(field[range.upperBound...]),
                  field.hasPrefix("weight_") || field.hasPrefix("bias_") else { return [self] }
            layers[index, default: [:]][String(field[..<range.lowerBound])] = tensor
        }
        return layers.keys.sorted().map { PyTorchModule(name: layers.count > 1 ? "\(name) (layer \($0))" : name, tensors: layers[$0]!) }
    }

    /// `"fc.2" < "fc.10"`: parts compared as numbers where both are numbers.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        func parts(_ name: String) -> [String] {
            var result: [String] = [], current = "", inNumber = false
            for character in name {
                let digit = character.isNumber
                if !current.isEmpty, digit != inNumber { result.append(current); current = "" }
                current.append(character)
                inNumber = digit
            }
            if !current.isEmpty { result.append(current) }
            return result
        }
        for (x, y) in zip(parts(a), parts(b)) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return x < y
        }
        return parts(a).count < parts(b).count
    }

    /// The parameters of the layer at `use` with this module's tensors in NeuralNet's layout.
    func parameters(for use: LayerUse) throws -> [(Parameter, Tensor)] {
        func tensor(_ field: String) throws -> Tensor {
            guard let value = tensors[field] else {
                throw NeuralNetError.invalidArgument("the module has no \(field) (it has \(tensors.keys.sorted().joined(separator: ", ")))")
            }
            return value
        }
        func extra(beyond fields: Set<String>) throws {
            let unknown = Set(tensors.keys).subtracting(fields).sorted()
            guard unknown.isEmpty else { throw NeuralNetError.invalidArgument("unexpected \(unknown.joined(separator: ", "))") }
        }
        switch use.layer {
        case let dense as Dense:
            try extra(beyond: ["weight", "bias"])
            let weight = try tensor("weight")
            guard weight.rank == 2 else { throw NeuralNetError.invalidArgument("weight has shape \(weight.shape); a Linear weight is [out, in]") }
            var converted = weight.transposed()
            if let (producer, imageShape) = use.producer, producer is Flatten, imageShape.count == 3 {
                converted = PyTorchModule.channelsLastRows(converted, image: imageShape)
            }
            return [(dense.weight, converted)] + (try dense.bias.map { [($0, try tensor("bias"))] } ?? [])
        case let convolution as Conv2D:
            try extra(beyond: ["weight", "bias"])
            let weight = try tensor("weight")
            guard weight.rank == 4 else { throw NeuralNetError.invalidArgument("weight has shape \(weight.shape); a Conv2d weight is [out, in, kH, kW]") }
            let kernel = weight.permuted([2, 3, 1, 0])
            return [(convolution.kernel, kernel)] + (try convolution.bias.map { [($0, try tensor("bias"))] } ?? [])
        case let embedding as Embedding:
            try extra(beyond: ["weight"])
            return [(embedding.table, try tensor("weight"))]
        case let positions as PositionEmbedding:
            // A bare parameter, or an nn.Embedding of positions (GPT-2's wpe).
            guard tensors.count == 1, let table = tensors.values.first else {
                throw NeuralNetError.invalidArgument("a position table is one tensor [maxLength, d]; the module has \(tensors.keys.sorted())")
            }
            return [(positions.table, table)]
        case let norm as LayerNorm:
            try extra(beyond: ["weight", "bias"])
            return [(norm.gamma, try tensor("weight")), (norm.beta, try tensor("bias"))]
        case let lstm as LSTM:
            try extra(beyond: ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
            return [(lstm.weightIH, try tensor("weight_ih")), (lstm.weightHH, try tensor("weight_hh")),
                    (lstm.biasIH, try tensor("bias_ih")), (lstm.biasHH, try tensor("bias_hh"))]
        case let gru as GRU:
            try extra(beyond: ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
            return [(gru.weightIH, try tensor("weight_ih")), (gru.weightHH, try tensor("weight_hh")),
                    (gru.biasIH, try tensor("bias_ih")), (gru.biasHH, try tensor("bias_hh"))]
        case let attention as MultiHeadAttention:
            try extra(beyond: ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
            return [(attention.qkvWeight, try tensor("in_proj_weight").transposed()), (attention.qkvBias, try tensor("in_proj_bias")),
                    (attention.outputWeight, try tensor("out_proj.weight").transposed()),
                    (attention.outputBias, try tensor("out_proj.bias"))]
        case let norm as BatchNorm:
            try extra(beyond: ["weight", "bias", "running_mean", "running_var"])
            return [(norm.gamma, try tensor("weight")), (norm.beta, try tensor("bias")),
                    (norm.runningMean, try tensor("running_mean")), (norm.runningVariance, try tensor("running_var"))]
        default:
            throw NeuralNetError.invalidArgument("\(use.layer) has no PyTorch counterpart that NeuralNet converts")
        }
    }

    /// The rows of a Dense weight `[h·w·c, out]` laid out for PyTorch's channels-first flattening
    /// (row `c·h·w`-major) reordered to NeuralNet's channels-last flattening.
    static func channelsLastRows(_ weight: Tensor, image: [Int]) -> Tensor {
        let (height, width, channels) = (image[0], image[1], image[2])
        let columns = weight.shape[1]
        var scalars = [Float](repeating: 0, count: weight.count)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let ours = (y * width + x) * channels + c
                    let theirs = (c * height + y) * width + x
                    for j in 0..<columns { scalars[ours * columns + j] = weight.scalars[theirs * columns + j] }
                }
            }
        }
        return Tensor(shape: weight.shape, scalars: scalars)
    }
}
