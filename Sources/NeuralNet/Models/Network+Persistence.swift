import Foundation

/// Saving and loading whole models as safetensors files, written once for every `Network`:
/// the parameters as tensors named by path (`"1.weight"`), and the architecture (layers, graph,
/// losses, optimizer with every hyperparameter, metrics) as JSON in the header's metadata, so
/// one file is a whole model.
extension Network {
    /// Writes the parameters and architecture to `path` (atomically).
    /// - Throws: if the model is not built yet, or has a layer or optimizer type that cannot be
    ///   written (see `SpecifiableLayer`, `SpecifiableOptimizer`).
    public func save(to path: String) throws {
        guard let shapes = inputShapes else {
            throw NeuralNetError.invalidArgument("save: the model is not built yet; train it, or call build(inputShape:) first")
        }
        try build(inputShapes: shapes)
        let architecture = try spec().json()
        try SafeTensors.write(
            namedParameters.map { ($0.name, $0.parameter.value) },
            metadata: ["format": "neuralnet", "architecture": architecture], to: path)
    }

    /// Writes the parameters and architecture to the file at `url` (atomically).
    public func save(to url: URL) throws { try save(to: url.path) }

    /// The model saved at `path`, rebuilt from its architecture with its parameters. Layer and
    /// optimizer types are looked up in `registry` (add your own types to it).
    public static func load(from path: String, registry: Registry = .standard) throws -> Self {
        let (tensors, metadata) = try SafeTensors.read(from: path)
        guard let architecture = metadata["architecture"] else {
            throw NeuralNetError.invalidFile(
                path: path, reason: "no architecture in the metadata: not saved by NeuralNet; build the model and use loadWeights(from:)")
        }
        let spec = try ModelSpec.decode(Data(architecture.utf8), path: "\(path) (architecture)")
        let model: Self
        do {
            model = try Self(spec: spec, registry: registry, seed: 0)
            try model.build()
        } catch let error as NeuralNetError {
            throw NeuralNetError.invalidFile(path: path, reason: "the architecture cannot be rebuilt: \(error)")
        }
        try model.loadWeights(tensors, source: path)
        return model
    }

    /// The model saved in the file at `url`.
    public static func load(from url: URL, registry: Registry = .standard) throws -> Self {
        try load(from: url.path, registry: registry)
    }

    /// Replaces the parameters with those in the safetensors file at `path`. Loading is strict:
    /// one error lists every missing, unexpected or mis-shaped parameter.
    public func loadWeights(from path: String) throws {
        try loadWeights(try SafeTensors.read(from: path).tensors, source: path)
    }

    /// Replaces the parameters with those in the safetensors file at `url`.
    public func loadWeights(from url: URL) throws { try loadWeights(from: url.path) }

    func loadWeights(_ tensors: [(name: String, tensor: Tensor)], source: String) throws {
        try build()
        let given = Dictionary(tensors, uniquingKeysWith: { first, _ in first })
        let expected = namedParameters
        var problems: [String] = []
        for (name, parameter) in expected {
            guard let tensor = given[name] else { problems.append("missing \(name) \(parameter.shape)"); continue }
            if tensor.shape != parameter.shape {
                problems.append("\(name): the model has shape \(parameter.shape), the file \(tensor.shape)")
            }
        }
        let known = Set(expected.map(\.name))
        problems += tensors.map(\.name).filter { !known.contains($0) }.map { "unexpected \($0)" }
        guard problems.isEmpty else {
            throw NeuralNetError.invalidFile(path: source, reason: "the parameters do not fit the model: " + problems.joined(separator: "; "))
        }
        for (name, parameter) in expected { parameter.value = given[name]! }
    }
}

/// The model saved at `path`, whichever kind it is: a `Sequential` for a chain of layers, a
/// `Model` for a graph. Cast it (`as? Model`) or use it through `Network`.
public func loadModel(from path: String, registry: Registry = .standard) throws -> any Network {
    let metadata = try SafeTensors.read(from: path).metadata
    let spec = try metadata["architecture"].map { try ModelSpec.decode(Data($0.utf8), path: "\(path) (architecture)") }
    if spec?.graph != nil { return try Model.load(from: path, registry: registry) }
    return try Sequential.load(from: path, registry: registry)
}

/// The model saved at `url`, whichever kind it is (see `loadModel(from:registry:)` for a path).
public func loadModel(from url: URL, registry: Registry = .standard) throws -> any Network {
    try loadModel(from: url.path, registry: registry)
}

/// The model a spec describes: a `Sequential` for a list of layers, a `Model` for a graph.
public func makeModel(spec: ModelSpec, registry: Registry = .standard, seed: UInt64 = 0) throws -> any Network {
    if spec.graph != nil { return try Model(spec: spec, registry: registry, seed: seed) }
    return try Sequential(spec: spec, registry: registry, seed: seed)
}
