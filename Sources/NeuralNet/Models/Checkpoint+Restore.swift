import Foundation

extension Checkpoint {
    /// Puts the state saved at `path` back into `session`: weights, optimizer state, generators,
    /// sample order, totals, history, learning rate and callbacks. Everything is checked before
    /// anything is changed; errors name the file and what does not fit.
    static func restore(_ session: TrainingSession, from path: String) throws {
        let (tensorList, metadata) = try SafeTensors.read(from: path)
        func fail(_ reason: String) -> NeuralNetError { .invalidFile(path: path, reason: reason) }
        guard metadata["format"] == "neuralnet-checkpoint", let training = metadata["training"],
              let architecture = metadata["architecture"] else {
            throw fail("not a NeuralNet checkpoint (no training record in its metadata)")
        }
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: Data(training.utf8)) } catch {
            throw fail("its training record cannot be read: \(error)")
        }
        let model = session.model
        let saved = try ModelSpec.decode(Data(architecture.utf8), path: "\(path) (architecture)")
        if let difference = saved.difference(from: try model.spec()) {
            throw fail("it was written for another model: \(difference)")
        }
        guard record.epoch >= 0, record.epoch <= 1 << 40, record.batchesDone >= 0, record.batchesDone <= record.batchesPerEpoch else {
            throw fail("its progress (epoch \(record.epoch), \(record.batchesDone) of \(record.batchesPerEpoch) batches) is impossible")
        }
        guard record.learningRate > 0 && record.learningRate.isFinite else {
            throw fail("its learning rate \(record.learningRate) is not a positive number")
        }
        guard record.sampleCount == session.sampleCount, record.batchesPerEpoch == session.batchesPerEpoch else {
            throw fail("it was written for \(record.sampleCount) samples in \(record.batchesPerEpoch) batches per epoch; "
                + "this run has \(session.sampleCount) in \(session.batchesPerEpoch): use the same data and batch size to resume")
        }
        guard let generator = SeededGenerator(state: record.generator.compactMap(UInt64.init)),
              let shuffler = SeededGenerator(state: record.shuffler.compactMap(UInt64.init)) else {
            throw fail("its generator states are not four 64-bit words each")
        }
        let tensors = Dictionary(tensorList, uniquingKeysWith: { first, _ in first })
        guard let orderTensor = tensors["training/order"], orderTensor.count == session.sampleCount,
              Set(orderTensor.scalars) == Set((0..<session.sampleCount).map(Float.init)) else {
            throw fail("training/order is missing or is not an order of the \(session.sampleCount) samples")
        }
        func group(_ prefix: String) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix(prefix) }.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        }
        // The weights are checked and loaded by the strict loader (every missing or mis-shaped
        // one listed); the rest is checked before anything changes.
        let weights = tensorList.filter { !$0.name.contains("/") }
        var totals = session.totals
        do { try totals.restore(record.totals) } catch { throw fail("\(error)") }
        let optimizerState = OptimizerState(tensors: group("optimizer/"), scalars: record.optimizerScalars)
        try model.loadWeights(weights, source: path)
        do { try model.optimizer.restore(optimizerState, of: model.namedParameters) } catch { throw fail("\(error)") }
        for (key, callback) in callbackKeys(session.callbacks) {
            guard let values = record.callbacks[key] else { continue }
            do { try callback.restore(values: values, tensors: group("callback/\(key)/")) } catch { throw fail("\(key): \(error)") }
        }
        model.generator = generator
        model.optimizer.learningRate = record.learningRate
        session.shuffler = shuffler
        session.order = orderTensor.scalars.map { Int($0) }
        session.totals = totals
        session.history = History(epochs: record.history)
        (session.epoch, session.batchesDone, session.stopped) = (record.epoch, record.batchesDone, record.stopped)
    }
}

extension ModelSpec {
    /// The first way in which `other` describes a different model from this one (layers and
    /// their arguments, input shapes, graph, losses, optimizer type), or nil if they agree.
    /// The learning rate, which schedules change during training, is not compared.
    func difference(from other: ModelSpec) -> String? {
        if layers.count != other.layers.count { return "\(layers.count) layers against \(other.layers.count)" }
        for (index, (a, b)) in zip(layers, other.layers).enumerated() where a != b {
            if a.type != b.type { return "layer \(index) is \(a.type) against \(b.type)" }
            let keys = Set(a.arguments.keys).union(b.arguments.keys).sorted()
            let key = keys.first { a.arguments[$0] != b.arguments[$0] } ?? "?"
            return "layer \(index) (\(a.type)) has \(key) \(a.arguments[key].map { "\($0)" } ?? "unset") "
                + "against \(b.arguments[key].map { "\($0)" } ?? "unset")"
        }
        if inputShape != other.inputShape { return "input shape \(inputShape ?? []) against \(other.inputShape ?? [])" }
        if graph != other.graph || sequence != other.sequence { return "the layers are connected differently" }
        if loss != other.loss || losses != other.losses || lossWeights != other.lossWeights {
            return "loss \(losses ?? [loss ?? "?"]) against \(other.losses ?? [other.loss ?? "?"])"
        }
        if optimizer?.type != other.optimizer?.type {
            return "optimizer \(optimizer?.type ?? "?") against \(other.optimizer?.type ?? "?")"
        }
        let (a, b) = (optimizer?.arguments ?? [:], other.optimizer?.arguments ?? [:])
        if let key = Set(a.keys).union(b.keys).sorted().first(where: { $0 != "learningRate" && a[$0] != b[$0] }) {
            return "optimizer \(key) \(a[key].map { "\($0)" } ?? "unset") against \(b[key].map { "\($0)" } ?? "unset")"
        }
        return nil
    }
}
