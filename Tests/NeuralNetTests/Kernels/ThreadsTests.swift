import Synchronization
import Testing
@testable import NeuralNetKernels
@testable import NeuralNet

struct ThreadsTests {
    @Test(arguments: [1, 2, 3, 8])
    func parallelForRunsEveryIndexOnce(threads: Int) {
        let counts = Mutex([Int](repeating: 0, count: 37))
        ComputeThreads.parallelFor(37, threads: threads) { index in counts.withLock { $0[index] += 1 } }
        #expect(counts.withLock { $0 } == [Int](repeating: 1, count: 37))
    }

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    @Test func nestedAndConcurrentCallsStillRunEverything() async {
        let total = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    ComputeThreads.parallelFor(10, threads: 2) { _ in
                        ComputeThreads.parallelFor(5, threads: 2) { _ in total.value.withLock { $0 += 1 } }
                    }
                }
            }
        }
        #expect(total.value.withLock { $0 } == 4 * 10 * 5)
    }

    @Test func theThreadCountIsScopedToATask() {
        let outside = ComputeThreads.count
        ComputeThreads.$count.withValue(1) { #expect(ComputeThreads.count == 1) }
        #expect(ComputeThreads.count == outside)
        #expect(ComputeThreads.defaultCount >= 1)
    }

    @Test(arguments: [10, 32, 48, 64])
    func rowSumsSharedBetweenThreadsMatchOneThreadExactly(width: Int) {
        let rows = 3000
        let x = randomTensor([rows, width], seed: 7)
        func sums(threads: Int) -> [Float] {
            var sum = [Float](repeating: 7, count: width)     // written, not added to
            ComputeThreads.$count.withValue(threads) {
                x.scalars.withUnsafeBufferPointer { x in
                    sum.withUnsafeMutableBufferPointer { s in
                        Elementwise.sumRows(x.baseAddress!, into: s.baseAddress!, rows: rows, width: width)
                    }
                }
            }
            return sum
        }
        var expected = [Float](repeating: 0, count: width)
        for r in 0..<rows { for j in 0..<width { expected[j] += x.scalars[r * width + j] } }
        #expect(sums(threads: 1) == expected)
        #expect(sums(threads: 2) == expected)
    }

    @Test func trainingGivesTheSameWeightsOnOneThreadOrTwo() throws {
        // Layers wide enough that their products are split between threads.
        func train(threads: Int) throws -> [Float] {
            try ComputeThreads.$count.withValue(threads) {
                let model = Sequential(loss: .meanSquaredError, optimizer: Adam(learningRate: 1e-3)) {
                    Dense(256, 256, activation: .relu)
                    Dense(256, 4)
                }
                let x = randomTensor([64, 256], seed: 41), y = randomTensor([64, 4], seed: 42)
                try model.fit(x, y, epochs: 2, batchSize: 64, seed: 3, progress: .silent)
                return model.namedParameters.flatMap(\.parameter.value.scalars)
            }
        }
        #expect(try train(threads: 1) == train(threads: 2))
    }

    @Test func convolutionsGiveTheSameWeightsOnOneThreadOrTwo() throws {
        // Images and channels enough that im2col, col2im and the input gradient share images.
        func train(threads: Int) throws -> [Float] {
            try ComputeThreads.$count.withValue(threads) {
                let model = Sequential(inputShape: [12, 12, 2], loss: .meanSquaredError, optimizer: Adam(learningRate: 1e-3)) {
                    Conv2D(filters: 8, kernelSize: 3, activation: .relu)
                    Conv2D(filters: 8, kernelSize: 3, padding: .same, activation: .tanh)
                    Flatten()
                    Dense(3)
                }
                let x = randomTensor([16, 12, 12, 2], seed: 43), y = randomTensor([16, 3], seed: 44)
                try model.fit(x, y, epochs: 2, batchSize: 16, seed: 3, progress: .silent)
                return model.namedParameters.flatMap(\.parameter.value.scalars)
            }
        }
        #expect(try train(threads: 1) == train(threads: 2))
    }

    @Test func recurrentLayersGiveTheSameWeightsOnOneThreadOrTwo() throws {
        // States of 64 units × 64 sequences: each step's element-wise part is shared by spans.
        func train(threads: Int) throws -> [Float] {
            try ComputeThreads.$count.withValue(threads) {
                let model = Sequential(inputShape: [3, 4], loss: .meanSquaredError, optimizer: Adam(learningRate: 1e-2)) {
                    LSTM(units: 64, returnSequences: true)
                    GRU(units: 64)
                    Dense(3)
                }
                let x = randomTensor([64, 3, 4], seed: 45), y = randomTensor([64, 3], seed: 46)
                try model.fit(x, y, epochs: 2, batchSize: 64, seed: 3, progress: .silent)
                return model.namedParameters.flatMap(\.parameter.value.scalars)
            }
        }
        let one = try train(threads: 1), two = try train(threads: 2)
        #expect(one == two)
        #expect(one.allSatisfy { $0.isFinite })
    }

    @Test func threadCountsFromTheEnvironmentAreCheckedWithAMessage() {
        #expect(ComputeThreads.count(fromEnvironment: nil, cores: 4) == (4, nil))
        #expect(ComputeThreads.count(fromEnvironment: "3", cores: 4) == (3, nil))
        for bad in ["0", "-2", "many", "", "1.5"] {
            let (count, message) = ComputeThreads.count(fromEnvironment: bad, cores: 4)
            #expect(count == 4)
            #expect(message?.contains("NEURALNET_THREADS=\(bad) is not a positive whole number") == true)
        }
        let (count, message) = ComputeThreads.count(fromEnvironment: "100000", cores: 4)
        #expect(count == ComputeThreads.maximumCount)
        #expect(message?.contains("more than") == true)
    }
}
