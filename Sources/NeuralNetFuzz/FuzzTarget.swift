import Foundation
import NeuralNet

/// One reader under test: how to make valid inputs of its format, and how to read one input.
/// Reading may throw (that is the expected end of a hostile input); it must never crash, hang
/// or allocate without bound.
public struct FuzzTarget: Sendable {
    /// The reader's name on the command line (`idx`, `safetensors`, ...).
    public let name: String
    /// Whether its inputs are text, which adds token-level mutations.
    public let isText: Bool
    /// Whether its inputs are safetensors files, whose JSON header is also mutated as text.
    public var isSafeTensors: Bool { ["safetensors", "model-file", "checkpoint"].contains(name) }
    /// Valid inputs of the format (made fresh, so they follow the current writer).
    public let makeCorpus: @Sendable () throws -> [[UInt8]]
    /// Reads one input; `scratch` is a directory the target may write into.
    public let read: @Sendable (_ input: [UInt8], _ scratch: URL) throws -> Void

    /// Every reader of the library: IDX, safetensors, `.npy`, model JSON, model files and
    /// training checkpoints.
    public static let all: [FuzzTarget] = [idx, safetensors, npy, modelJSON, modelFile, checkpoint]

    /// `IDX.decode`, on uncompressed and gzip-compressed images and labels.
    public static let idx = FuzzTarget(name: "idx", isText: false, makeCorpus: {
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2] + (0..<12).map { UInt8($0 * 20) }
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 4, 3, 1, 4, 1]
        let floats: [UInt8] = [0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0]
        return [images, labels, floats, try gzipped(images)]
    }, read: { input, scratch in
        // Compressed inputs go through a file, as users' .gz datasets do.
        guard input.starts(with: [0x1F, 0x8B]) else { _ = try IDX.decode(input); return }
        let url = scratch.appendingPathComponent("data.gz")
        try Data(input).write(to: url)
        _ = try IDX.read(contentsOf: url.path)
    })

    /// `SafeTensors.decode`, on a saved model and tensors of every stored type's width.
    public static let safetensors = FuzzTarget(name: "safetensors", isText: false, makeCorpus: {
        let scratch = try corpusDirectory(for: "safetensors")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("t.safetensors").path
        try SafeTensors.write([("a", Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])), ("b", Tensor([7]))],
                              metadata: ["format": "test"], to: path)
        return [Array(try Data(contentsOf: URL(fileURLWithPath: path))), try savedModel(in: scratch)]
    }, read: { input, _ in _ = try SafeTensors.decode(input) })

    /// NumPy `.npy` arrays.
    public static let npy = FuzzTarget(name: "npy", isText: false, makeCorpus: {
        [Array(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).npyData), Array(Tensor([1, 2, 3]).npyData)]
    }, read: { input, _ in _ = try Tensor(npy: Data(input)) })

    /// Model JSON: decoded, made into a model, built, and run on one sample of zeros.
    public static let modelJSON = FuzzTarget(name: "model-json", isText: true, makeCorpus: {
        try sampleModels().map { Array(try $0.spec().json().utf8) }
    }, read: { input, _ in
        let spec = try ModelSpec.decode(Data(input))
        let model = try makeModel(spec: spec)
        try runOnce(model)
    })

    /// Model files (`save`/`loadModel`), read from a file as users do.
    public static let modelFile = FuzzTarget(name: "model-file", isText: false, makeCorpus: {
        let scratch = try corpusDirectory(for: "model-file")
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try sampleModels().map { model in
            let url = scratch.appendingPathComponent("m.safetensors")
            try model.save(to: url)
            return Array(try Data(contentsOf: url))
        }
    }, read: { input, scratch in
        let url = scratch.appendingPathComponent("model.safetensors")
        try Data(input).write(to: url)
        try runOnce(try loadModel(from: url))
    })

    /// Training checkpoints, resumed by `fit(resumeFrom:)`.
    public static let checkpoint = FuzzTarget(name: "checkpoint", isText: false, makeCorpus: {
        let scratch = try corpusDirectory(for: "checkpoint")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let directory = scratch.appendingPathComponent("checkpoints")
        let model = checkpointModel()
        try model.fit(checkpointData, epochs: 2, batchSize: 4, callbacks: [ModelCheckpoint(directory: directory, keepLast: 2)],
                      seed: 1, progress: .silent)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map {
            Array(try Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }, read: { input, scratch in
        let directory = scratch.appendingPathComponent("checkpoints")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(input).write(to: directory.appendingPathComponent("checkpoint-e000001-b000000000.safetensors"))
        try checkpointModel().fit(checkpointData, epochs: 3, batchSize: 4, seed: 1, resumeFrom: directory, progress: .silent)
    })
}
