import Foundation

/// Checkpoint files: one safetensors file holding everything a resumed run needs. Tensors: the
/// model's parameters by path, the optimizer's state (`"optimizer/1.weight/firstMoment"`), this
/// epoch's sample order (`"training/order"`) and callbacks' tensors
/// (`"callback/EarlyStopping#0/1.weight"`). Metadata: the architecture (as in model files) and
/// a `"training"` record: epoch and batch reached, the generators' states, the running totals,
/// the history, the learning rate, the optimizer's scalars and the callbacks' values.
///
/// Files are named by the epoch and the number of its batches done
/// (`checkpoint-e000003-b000000938.safetensors`), so that names sort in the order of progress.
enum Checkpoint {
    /// What a checkpoint holds besides tensors.
    struct Record: Codable {
        var epoch: Int
        var batchesDone: Int
        var batchesPerEpoch: Int
        var sampleCount: Int
        var stopped: Bool
        var generator: [String]
        var shuffler: [String]
        var totals: RunningTotals.Snapshot
        var history: [[String: Float]]
        var learningRate: Float
        var optimizerScalars: [String: Double]
        var callbacks: [String: [String: Double]]
    }

    /// `checkpoint-e000002-b0000150.safetensors`: epoch 2 with 150 batches done.
    static func fileName(epoch: Int, batchesDone: Int) -> String {
        "checkpoint-e" + padded(epoch, 6) + "-b" + padded(batchesDone, 9) + ".safetensors"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(width - digits.count, 0)) + digits
    }

    /// The checkpoint files in `directory`, oldest progress first.
    static func files(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-e") && $0.hasSuffix(".safetensors") }.sorted()
            .map { directory.appendingPathComponent($0).path }
    }

    /// The keys under which stateful callbacks are saved: type name and index among them.
    static func callbackKeys(_ callbacks: [any Callback]) -> [(key: String, callback: any StatefulCallback)] {
        callbacks.compactMap { $0 as? any StatefulCallback }.enumerated().map { index, callback in
            ("\(type(of: callback))#\(index)", callback)
        }
    }

    /// Writes the session's state to `path` (atomically).
    static func write(_ session: TrainingSession, to path: String) throws {
        let model = session.model
        var tensors = model.namedParameters.map { ($0.name, $0.parameter.value) }
        let optimizerState = model.optimizer.state(of: model.namedParameters)
        tensors += optimizerState.tensors.sorted { $0.key < $1.key }.map { ("optimizer/" + $0.key, $0.value) }
        guard session.order.count < 1 << 24 else {
            throw NeuralNetError.invalidArgument("ModelCheckpoint: datasets of 2^24 samples or more cannot be checkpointed yet")
        }
        tensors.append(("training/order", Tensor(shape: [session.order.count], scalars: session.order.map(Float.init))))
        var callbackValues: [String: [String: Double]] = [:]
        for (key, callback) in callbackKeys(session.callbacks) {
            let state = callback.checkpointState()
            callbackValues[key] = state.values
            tensors += state.tensors.sorted { $0.key < $1.key }.map { ("callback/\(key)/\($0.key)", $0.value) }
        }
        let record = Record(
            epoch: session.epoch, batchesDone: session.batchesDone, batchesPerEpoch: session.batchesPerEpoch,
            sampleCount: session.sampleCount, stopped: session.stopped, generator: model.generator.state.map(String.init),
            shuffler: session.shuffler.state.map(String.init), totals: session.totals.snapshot, history: session.history.epochs,
            learningRate: model.optimizer.learningRate, optimizerScalars: optimizerState.scalars, callbacks: callbackValues)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let training = String(decoding: try encoder.encode(record), as: UTF8.self)
        try SafeTensors.write(
            tensors, metadata: ["format": "neuralnet-checkpoint", "architecture": try model.spec().json(), "training": training],
            to: path)
    }
}
