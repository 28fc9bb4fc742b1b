import ArgumentParser
import Foundation
import NeuralNet
import NeuralNetKernels
#if MPI
import NeuralNetMPI
#endif

/// `nn train`: trains a classifier on Fashion-MNIST, validating each epoch on the last part of
/// the training images, and reports its test accuracy once at the end.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a classifier on Fashion-MNIST and report its test accuracy.",
        discussion: """
            Each epoch is validated on the last --validation-split of the training images (held out \
            before shuffling, as Keras does); the test set is used once, at the end.
            """)

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "A preset (\(Preset.allCases.map(\.rawValue).joined(separator: ", "))) or an architecture FILE.json.")
    var model: String = "mlp"

    @Option(help: "Passes over the training data (default 3; 1 for the text models).")
    var epochs: Int?

    @Option(help: "Samples per gradient step (default 64; 32 for the text models).")
    var batchSize: Int?

    @Option(help: "For --model charlstm or chargpt: train on this UTF-8 text file instead of the embedded Shakespeare.")
    var text: String?

    @Option(help: "Split each batch into N micro-batches whose gradients are summed before one update.")
    var accumulate: Int = 1

    @Option(help: "Train on the first N training images only.")
    var trainSamples: Int?

    @Option(help: "Hold out this fraction of the training images (the last ones) to validate each epoch; 0 for none.")
    var validationSplit: Double = 0.1

    @Option(help: "One of: \(Registry.standard.optimizerTypeNames.joined(separator: ", ")) (default adam).")
    var optimizer: String?

    @Option(help: "The optimizer's step size (default: the optimizer's own).")
    var learningRate: Float?

    @Option(help: "Seeds initialisation and shuffling.")
    var seed: UInt64 = 1

    @Option(help: "Write a JSON report of the options, each epoch and the test scores.")
    var report: String?

    @Option(help: "Save the trained model (safetensors with its architecture).")
    var save: String?

    @Option(help: "Write an SVG chart of the loss and accuracy curves.")
    var plot: String?

    @Option(help: "Write a checkpoint of the run into this directory after every epoch.")
    var checkpoint: String?

    @Flag(help: "Continue the run checkpointed in --checkpoint DIR from its newest checkpoint (same options needed).")
    var resume = false

    /// The preset named by `--model`, if it names a text model.
    var textPreset: Preset? { ModelChoice(argument: model).preset.flatMap { $0.isText ? $0 : nil } }

    /// `--epochs`, or the model kind's default.
    var epochCount: Int { epochs ?? (textPreset == nil ? 3 : 1) }

    /// `--batch-size`, or the model kind's default.
    var batch: Int { batchSize ?? (textPreset == nil ? 64 : 32) }

    func validate() throws {
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive, got \(epochs)") }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        if text != nil, textPreset == nil { throw ValidationError("--text needs --model charlstm or chargpt") }
        guard accumulate > 0 else { throw ValidationError("--accumulate must be positive, got \(accumulate)") }
        if let trainSamples, trainSamples <= 0 { throw ValidationError("--train-samples must be positive, got \(trainSamples)") }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must be in [0, 1), got \(validationSplit)")
        }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--learning-rate must be a positive number, got \(learningRate)")
        }
        if let optimizer { _ = try OptimizerSpec(type: optimizer).makeOptimizer() }
        if resume, checkpoint == nil { throw ValidationError("--resume needs --checkpoint DIR, the directory of the run to continue") }
        // Every destination is checked now, so that a typo does not throw away the training.
        do {
            for path in [report, plot, save ?? textPreset.map { "\($0.rawValue).safetensors" }].compactMap({ $0 }) {
                try AtomicFile.checkWritable(path)
            }
            if let checkpoint { try AtomicFile.checkWritable(checkpoint, isDirectory: true) }
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The options a resumed run must share with the one it continues.
    var runOptions: [String: String] {
        ["model": model, "batch-size": String(batch), "text": text ?? "shakespeare", "accumulate": String(accumulate), "optimizer": optimizer ?? "adam",
         "train-samples": trainSamples.map(String.init) ?? "all", "validation-split": "\(validationSplit)",
         "learning-rate": learningRate.map { "\($0)" } ?? "default", "seed": String(seed),
         "data": dataOptions.data ?? "default"]
    }

    func run() throws {
        if let textPreset { return try trainText(textPreset) }
        #if MPI
        if Distributed.isLaunchedByMPIRun {
            let mpi = try MPIStrategy()
            do {
                try train(distribution: mpi, primary: mpi.rank == 0)
            } catch {
                // One rank's failure ends them all, rather than leaving the others waiting.
                fflush(nil)
                printError("Error on rank \(mpi.rank): \(error)")
                mpi.abort(code: 1)
            }
            return
        }
        #endif
        try train(distribution: nil, primary: true)
    }

    /// The run; with a `distribution`, every process runs it and only the `primary` one prints
    /// and writes files.
    private func train(distribution: (any DistributionStrategy)?, primary: Bool) throws {
        func say(_ text: String) { if primary { print(text) } }
        let network = try ModelChoice(argument: model).makeModel(optimizer: optimizer, learningRate: learningRate, seed: seed)
        try network.build()
        let data = try dataOptions.load()
        let train = trainSamples.map { data.train.prefix($0) } ?? data.train
        say(network.summary())
        let threads = ComputeThreads.count
        say("Compute: \(MatrixMultiply.Kernel.best) matrix kernel, \(threads) thread\(threads == 1 ? "" : "s") (NEURALNET_THREADS to change)")
        let validationCount = train.count - Int((Double(train.count) * (1 - validationSplit)).rounded(.up))
        say("Data: \(train.count - validationCount) training, \(validationCount) validation (the last of the training images), "
            + "\(data.test.count) test images (\(data.source))")
        if let distribution { say("Data-parallel over \(distribution.processCount) processes (global batch \(batch))") }

        let timer = EpochTimer()
        var callbacks: [any Callback] = [timer]
        let checkpointing = checkpoint.map {
            TrainCheckpoint(directory: URL(fileURLWithPath: $0), resume: resume, options: runOptions)
        }
        if let checkpointing, primary {
            try checkpointing.prepare()
            callbacks.append(checkpointing.callback)
        }
        let history = try network.fit(train, epochs: epochCount, batchSize: batch, validationSplit: validationSplit,
                                      callbacks: callbacks, seed: seed, resumeFrom: resume ? checkpointing?.directory : nil,
                                      accumulationSteps: accumulate, distribution: distribution,
                                      progress: primary ? .automatic : .silent)
        let scores = try network.evaluate(data.test)
        say(String(format: "Test loss %.4f, test accuracy %.4f", scores["loss"]!, scores["accuracy"]!))
        let seconds = timer.seconds.sorted()
        if !seconds.isEmpty {
            say(String(format: "Seconds per epoch: median %.2f (training only, batch %d)", seconds[seconds.count / 2], batch))
        }
        if let first = timer.peakMegabytes.first, let last = timer.peakMegabytes.last {
            say(String(format: "Peak memory: %.0f MB after epoch 1, %.0f MB after epoch %d", first, last, timer.peakMegabytes.count))
        }
        var extras: [String: Any] = ["kernel": "\(MatrixMultiply.Kernel.best)", "threads": threads]
        #if MPI
        if let mpi = distribution as? MPIStrategy {
            extras.merge(["ranks": mpi.processCount, "allReduceSeconds": mpi.allReduceSeconds, "allReduces": mpi.allReduceCount]) { $1 }
            say(String(format: "All-reduce: %.3f ms per step over %d ranks", 1000 * mpi.allReduceSeconds / Double(max(mpi.allReduceCount, 1)),
                       mpi.processCount))
        }
        #endif
        guard primary else { return }
        if let report {
            try writeReport(to: report, history: history, timer: timer, scores: scores, model: network, source: data.source,
                            extras: extras)
        }
        if let plot {
            try write(history.svgChart(title: "nn train --model \(model)"), to: plot)
        }
        if let save {
            try network.save(to: save)
            print("Saved to \(save)")
        }
    }

    func writeReport(
        to path: String, history: History, timer: EpochTimer, scores: Evaluation, model: any Network, source: String,
        extras: [String: Any]
    ) throws {
        let options: [String: Any] = [
            "model": self.model, "epochs": epochCount, "batchSize": batch, "accumulate": accumulate, "optimizer": optimizer ?? "adam",
            "validationSplit": validationSplit,
            "learningRate": Double(model.optimizer.learningRate), "seed": seed, "data": source,
        ]
        let epochs: [[String: Any]] = history.epochs.enumerated().map { index, logs in
            // A resumed run timed only the epochs it ran itself, the last ones.
            let (seconds, peakMegabytes) = (timer.seconds, timer.peakMegabytes)
            let timed = index - (history.epochs.count - seconds.count)
            var entry: [String: Any] = ["epoch": index + 1]
            if timed >= 0 { entry["seconds"] = seconds[timed] }
            if timed >= 0 && timed < peakMegabytes.count { entry["peakResidentMB"] = peakMegabytes[timed] }
            for (key, value) in logs { entry[key] = Double(value) }
            return entry
        }
        let report: [String: Any] = [
            "options": options, "epochs": epochs, "parameters": model.parameterCount,
            "test": scores.scores.mapValues(Double.init),
        ].merging(extras) { $1 }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        try write(String(decoding: data, as: UTF8.self) + "\n", to: path)
    }
}

/// Writes `text` to `path` atomically.
func write(_ text: String, to path: String) throws {
    do {
        try AtomicFile.write(Data(text.utf8), to: path)
    } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}

/// Measures each epoch's training time (from its start to its last batch, before validation)
/// and the process's peak resident memory at each epoch's end, which must not grow once the
/// first epoch has run.
final class EpochTimer: Callback {
    private(set) var seconds: [Double] = []
    /// The peak resident set size in megabytes after each epoch (`getrusage`).
    private(set) var peakMegabytes: [Double] = []
    private var start = Date()

    func epochWillBegin(_ epoch: Int) { start = Date() }

    func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) {
        if batch == batches { seconds.append(Date().timeIntervalSince(start)) }
    }

    func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        peakMegabytes.append(Self.peakResidentMegabytes())
        return false
    }

    static func peakResidentMegabytes() -> Double {
        #if os(Linux)
        // VmHWM is this program's own peak; `ru_maxrss` survives `execve` and would count the
        // launcher's (`swift run`) memory too.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kilobytes / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024          // kilobytes on Linux
        #else
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576     // bytes on macOS
        #endif
    }
}
