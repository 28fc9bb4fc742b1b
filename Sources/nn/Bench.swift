import ArgumentParser
import Foundation
import NeuralNet
import NeuralNetKernels

/// `nn bench`: the performance workloads, timed on this machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the standard workloads (median of several runs) and print a table.",
        discussion: """
            mlp-train and cnn-train: one epoch over the 60,000 Fashion-MNIST training images (Adam 1e-3, \
            batch 64), seconds; wide-mlp-train: the same for a 784-2048-2048-10 ReLU network. xor: the 2-3-1 tanh network, 1,000 epochs of 4 single-sample steps, \
            seconds; xor-compiled: the same with fit(..., compile: true). infer-1 / infer-1000: the trained MLP predicting the 10,000 test images one at a time \
            / 1,000 at a time, samples per second. gemm-N: an N×N single-precision multiply, GFLOP/s. \
            lstm-train: 100 steps of the charlstm preset (Embedding 64, two LSTM layers of 256 units, batch 32 of \
            128 characters, Adam), seconds. gpt-train: 100 steps of the chargpt preset (4 blocks, 4 heads, width 128, \
            context 128, batch 32, AdamW, dropout 0), seconds. Both read windows of the embedded Shakespeare. \
            Each row also shows the process's peak resident memory so far: a workload's own when run alone \
            (--only NAME), as bench/compare_pytorch.py does.
            """)

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Runs per workload; the median is reported.")
    var runs: Int = 5

    @Option(help: "Runs of the slow cnn-train, wide-mlp-train, lstm-train and gpt-train workloads.")
    var cnnRuns: Int = 3

    @Option(parsing: .upToNextOption, help: "Workloads to run (default: all): \(Workload.allCases.map(\.rawValue).joined(separator: " ")).")
    var only: [Workload] = []

    @Option(help: "Also write the results as JSON.")
    var json: String?

    @Option(help: "The matrix-multiply kernel: automatic, portable, avx2, avx512.")
    var kernel: KernelChoice = .automatic

    enum Workload: String, CaseIterable, ExpressibleByArgument {
        case mlpTrain = "mlp-train", cnnTrain = "cnn-train", wideMLPTrain = "wide-mlp-train", xor, xorCompiled = "xor-compiled", infer1 = "infer-1", infer1000 = "infer-1000"
        case gemm256 = "gemm-256", gemm512 = "gemm-512", gemm1024 = "gemm-1024", gemm2048 = "gemm-2048"
        case lstmTrain = "lstm-train", gptTrain = "gpt-train"
    }

    enum KernelChoice: String, ExpressibleByArgument {
        case automatic, portable, avx2, avx512
        var kernel: MatrixMultiply.Kernel {
            switch self {
            case .automatic: .automatic
            case .portable: .portable
            case .avx2: .avx2
            case .avx512: .avx512
            }
        }
    }

    func validate() throws {
        guard runs > 0, cnnRuns > 0 else { throw ValidationError("--runs and --cnn-runs must be positive") }
        guard kernel.kernel.isSupported else { throw ValidationError("this CPU cannot run the \(kernel.kernel) kernel") }
    }

    func run() throws {
        let workloads = only.isEmpty ? Workload.allCases : only
        let threads = ComputeThreads.count
        print("NeuralNet benchmarks: \(threads) thread\(threads == 1 ? "" : "s"), matrix kernel \(kernel.kernel), median of \(runs) runs")
        var results: [(Workload, Double, String, Double)] = []
        var trained: Sequential?
        let needsData = workloads.contains { [.mlpTrain, .cnnTrain, .wideMLPTrain, .infer1, .infer1000].contains($0) }
        let data = needsData ? try dataOptions.load() : nil
        for workload in workloads {
            let (value, unit) = try measure(workload, data: data, trained: &trained)
            // The process's peak so far: a workload's own when it runs alone (`--only NAME`).
            let peak = EpochTimer.peakResidentMegabytes()
            results.append((workload, value, unit, peak))
            print(workload.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                  + String(format: "%12.4g", value) + "  " + unit.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "peak %.0f MB", peak))
        }
        if let json {
            let report: [String: Any] = [
                "threads": threads, "kernel": "\(kernel.kernel)", "runs": runs,
                "results": Dictionary(uniqueKeysWithValues: results.map {
                    ($0.0.rawValue, ["value": $0.1, "unit": $0.2, "peakResidentMB": $0.3] as [String: Any])
                }),
            ]
            let bytes = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            try write(String(decoding: bytes, as: UTF8.self) + "\n", to: json)
        }
    }

    private func measure(_ workload: Workload, data: FashionMNIST?, trained: inout Sequential?) throws -> (Double, String) {
        switch workload {
        case .mlpTrain:
            try warmUp(Preset.mlp.model(optimizer: Adam(learningRate: 1e-3), seed: 1), on: data!)
            var model: Sequential?
            let seconds = try median(runs) {
                model = Preset.mlp.model(optimizer: Adam(learningRate: 1e-3), seed: 1)
                try model!.build()
                return try time { try model!.fit(data!.train, epochs: 1, batchSize: 64, seed: 1, progress: .silent) }
            }
            trained = model
            return (seconds, "s per epoch")
        case .cnnTrain, .wideMLPTrain:
            let makeModel = workload == .cnnTrain ? { Preset.cnn.model(optimizer: Adam(learningRate: 1e-3), seed: 1) } : wideMLP
            try warmUp(makeModel(), on: data!)
            let seconds = try median(cnnRuns) {
                let model = makeModel()
                try model.build()
                return try time { try model.fit(data!.train, epochs: 1, batchSize: 64, seed: 1, progress: .silent) }
            }
            return (seconds, "s per epoch")
        case .xor, .xorCompiled:
            let compile = workload == .xorCompiled
            let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor([[0], [1], [1], [0]])
            func network() throws -> Sequential {
                let net = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1)) {
                    Dense(2, 3, activation: .tanh)
                    Dense(3, 1, activation: .tanh)
                }
                try net.build(inputShape: [2])
                return net
            }
            // Untimed first, as for the other training workloads: the same 1,000 epochs on
            // throwaway copies for at least 50 ms (JAX's side compiles and runs its whole loop
            // once before it is timed; after 100 epochs, or after one run following an idle
            // second, the first timed run read 5 to 20% slow).
            try repeatUntimed(for: 0.05) {
                try network().fit(x, y, epochs: 1000, batchSize: 1, seed: 1, progress: .silent, compile: compile)
            }
            let seconds = try median(runs) {
                let net = try network()
                return try time { try net.fit(x, y, epochs: 1000, batchSize: 1, seed: 1, progress: .silent, compile: compile) }
            }
            return (seconds, "s for 1,000 epochs")
        case .infer1, .infer1000:
            if trained == nil {
                let model = Preset.mlp.model(optimizer: Adam(learningRate: 1e-3), seed: 1)
                try model.fit(data!.train, epochs: 1, batchSize: 64, seed: 1, progress: .silent)
                trained = model
            }
            let model = trained!
            let batch = workload == .infer1 ? 1 : 1000
            let images = data!.test.inputs
            let count = images.shape[0]
            let batches = stride(from: 0, to: count, by: batch).map { images.gatheringRows($0..<min($0 + batch, count)) }
            let seconds = median(runs) {
                time { for input in batches { _ = model.predict(input) } }
            }
            return (Double(count) / seconds, "samples/s")
        case .gemm256, .gemm512, .gemm1024, .gemm2048:
            let n = Int(workload.rawValue.dropFirst(5))!
            return (gemmRate(n: n), "GFLOP/s")
        case .lstmTrain, .gptTrain:
            return (try textSteps(workload == .lstmTrain ? .charlstm : .chargpt), "s for 100 steps")
        }
    }

    /// Seconds for 100 training steps of a text preset on windows of the embedded corpus, after
    /// 5 untimed steps of a throwaway copy.
    private func textSteps(_ preset: Preset) throws -> Double {
        let text = try TextDataset.shakespeare(context: Preset.textContext)
        let windows = text.dataset
        func model() throws -> Sequential {
            let network = preset.model(optimizer: try preset.defaultOptimizer.makeOptimizer(), seed: 1,
                                       vocabularySize: text.vocabulary.count, dropout: 0)
            try network.build()
            return network
        }
        try model().fit(windows.prefix(5 * 32), epochs: 1, batchSize: 32, seed: 1, progress: .silent)
        return try median(cnnRuns) {
            let network = try model()
            return try time { try network.fit(windows.prefix(100 * 32), epochs: 1, batchSize: 32, seed: 1, progress: .silent) }
        }
    }

    /// Trains a throwaway `model` on 20 batches, untimed, so that the first timed epoch does
    /// not pay for starting the thread pool and for the allocator's first pages, as no
    /// program that trains for longer than a moment does.
    private func warmUp(_ model: Sequential, on data: FashionMNIST) throws {
        try model.fit(data.train.prefix(20 * 64), epochs: 1, batchSize: 64, seed: 1, progress: .silent)
    }

    /// The wide MLP of the comparison with PyTorch and JAX: 784-2048-2048-10, ReLU, Adam 1e-3.
    private func wideMLP() -> Sequential {
        Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 1e-3),
                   metrics: [.accuracy], seed: 1) {
            Flatten()
            Dense(2048, activation: .relu)
            Dense(2048, activation: .relu)
            Dense(10)
        }
    }

    private func gemmRate(n: Int) -> Double {
        var generator = SeededGenerator(seed: 3)
        let a = Tensor(randomUniform: [n, n], in: -1..<1, using: &generator).scalars
        let b = Tensor(randomUniform: [n, n], in: -1..<1, using: &generator).scalars
        var c = [Float](repeating: 0, count: n * n)
        let flops = 2 * Double(n) * Double(n) * Double(n)
        let repeats = max(1, Int(2e10 / flops))     // about 40 ms a measurement
        let kernel = self.kernel.kernel
        // Untimed multiplies for about 0.2 s first: they start the thread pool, make the
        // workspaces and let the cores reach their working clock, as in any program that
        // multiplies for longer than a moment (a fresh process measured at once reads 5 to
        // 10% low here).
        repeatUntimed(for: 0.2) { MatrixMultiply.multiply(a, b, into: &c, m: n, n: n, k: n, kernel: kernel) }
        let seconds = median(runs) {
            time {
                for _ in 0..<repeats { MatrixMultiply.multiply(a, b, into: &c, m: n, n: n, k: n, kernel: kernel) }
            } / Double(repeats)
        }
        return flops / seconds / 1e9
    }
}

/// Runs `body` once, then again until `seconds` have passed: a warm-up before timing.
func repeatUntimed(for seconds: Double, _ body: () throws -> Void) rethrows {
    let start = DispatchTime.now().uptimeNanoseconds
    repeat { try body() } while Double(DispatchTime.now().uptimeNanoseconds - start) < seconds * 1e9
}

/// The seconds `body` takes.
func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median of `runs` measurements.
func median(_ runs: Int, _ measure: () throws -> Double) rethrows -> Double {
    let values = try (0..<runs).map { _ in try measure() }.sorted()
    return values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
}
