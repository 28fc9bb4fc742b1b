import ArgumentParser
import Foundation
import NeuralNet
import NeuralNetKernels

/// `nn train --model charlstm|chargpt [--text FILE]`: a character-level language model on the
/// embedded Shakespeare (or a text file), reporting the held-out loss in bits per character.
extension Train {
    func trainText(_ preset: Preset) throws {
        let context = Preset.textContext
        let text = try self.text.map { try TextDataset(contentsOf: URL(fileURLWithPath: $0), context: context, seed: seed) }
            ?? TextDataset.shakespeare(context: context, seed: seed)
        let (train, heldOut) = text.split(0.9)
        let limited = trainSamples.map { train.prefix($0) } ?? train
        let optimizer = try ModelChoice(argument: model).optimizer(named: self.optimizer, learningRate: learningRate)
        let network = preset.model(optimizer: optimizer, seed: seed, vocabularySize: text.vocabulary.count)
        network.vocabulary = text.vocabulary
        try network.build()
        print(network.summary())
        let threads = ComputeThreads.count
        print("Compute: \(MatrixMultiply.Kernel.best) matrix kernel, \(threads) thread\(threads == 1 ? "" : "s") (NEURALNET_THREADS to change)")
        print("Text: \(text.ids.count) characters of \(self.text ?? "Shakespeare (embedded)"), \(text.vocabulary.count) distinct; "
              + "\(limited.count) training and \(heldOut.count) held-out windows of \(context) (the last tenth of the text)")

        let timer = EpochTimer()
        var callbacks: [any Callback] = [timer, BitsPerCharacter()]
        let checkpointing = checkpoint.map { TrainCheckpoint(directory: URL(fileURLWithPath: $0), resume: resume, options: runOptions) }
        if let checkpointing {
            try checkpointing.prepare()
            callbacks.append(checkpointing.callback)
        }
        let history = try network.fit(limited, epochs: epochCount, batchSize: batch, validation: heldOut, callbacks: callbacks,
                                      seed: seed, resumeFrom: resume ? checkpointing?.directory : nil, accumulationSteps: accumulate)
        let scores = try network.evaluate(heldOut)
        let nats = scores["loss"]!
        print(String(format: "Held-out loss %.4f nats = %.3f bits per character, next-character accuracy %.4f",
                     nats, nats / log(2), scores["accuracy"]!))
        let seconds = timer.seconds.sorted()
        if !seconds.isEmpty {
            print(String(format: "Seconds per epoch: median %.1f (training only, batch %d)", seconds[seconds.count / 2], batch))
        }
        print("Sample (nn generate, temperature 0.8, seed \(seed)):")
        print(try network.generatedText(prompt: "\n", length: 300, temperature: 0.8, seed: seed))
        if let report {
            try writeReport(to: report, history: history, timer: timer, scores: scores, model: network,
                            source: self.text ?? "shakespeare", extras: ["kernel": "\(MatrixMultiply.Kernel.best)", "threads": threads])
        }
        if let plot { try write(history.svgChart(title: "nn train --model \(model)"), to: plot) }
        let destination = save ?? "\(preset.rawValue).safetensors"
        try network.save(to: destination)
        print("Saved to \(destination) (try: nn generate \(destination) --prompt \"ROMEO:\")")
    }
}

/// Prints the held-out loss of each epoch in bits per character (`val_loss / ln 2`).
final class BitsPerCharacter: Callback {
    func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        if let nats = logs["val_loss"] {
            print(String(format: "  held-out after epoch %d: %.3f bits per character (%.4f nats)", epoch, nats / log(2), nats))
        }
        return false
    }
}
