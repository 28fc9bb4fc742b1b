import Foundation
import Testing
@testable import NeuralNet

/// NaN is never hidden: the fused paths propagate it as the composed ones (and PyTorch) do, and
/// the clipped losses pass their gradient at the clipping bound.
struct NaNPropagationTests {
    @Test func fusedReLUKeepsNaNLikeTheComposedOne() throws {
        let layer = Dense(3, 2, activation: .relu)
        var generator = SeededGenerator(seed: 1)
        _ = try layer.build(inputShape: [3], generator: &generator)
        layer.weight.value.scalars[1] = .nan                  // unit 1 reads input 0 through a NaN
        let x = Tensor([[1, 2, 3], [-1, 0, 1]])
        let fused = try layer(x)
        let composed = (x.matmul(layer.weight.value) + layer.bias!.value).map { Swift.max($0, 0) }
        #expect(fused.scalars[1].isNaN && fused.scalars[3].isNaN)
        #expect(zip(fused.scalars, composed.scalars).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })

        let convolution = Conv2D(filters: 2, kernelSize: 2, activation: .relu)
        _ = try convolution.build(inputShape: [3, 3, 1], generator: &generator)
        var image = Tensor(repeating: -1, shape: [1, 3, 3, 1])
        image.scalars[0] = .nan
        let feature = try convolution(image)
        #expect(feature.scalars[0].isNaN && feature.scalars[1].isNaN)      // both filters see the NaN pixel
        #expect(!feature.scalars[2...].contains { $0.isNaN })
    }

    @Test func maxPoolingKeepsANaNAnywhereInItsWindow() throws {
        for position in 0..<4 {
            var image = Tensor([1, 5, 2, 3]).reshaped(to: [1, 2, 2, 1])
            image.scalars[position] = .nan
            let pooled = try MaxPool2D(2)(image)
            #expect(pooled.scalars[0].isNaN, "NaN at \(position)")
        }
    }

    @Test func clippedLossesPassTheirGradientAtTheBound() {
        let epsilon: Float = 1e-7
        let p = Variable(Tensor([[epsilon], [1 - epsilon]]), requiresGradient: true)
        binaryCrossEntropy(predicted: p, expected: Tensor([[1], [0]])).backward()
        #expect(p.gradient!.scalars.allSatisfy { $0 != 0 && $0.isFinite })
        let q = Variable(Tensor([[epsilon, 1 - epsilon]]), requiresGradient: true)
        categoricalCrossEntropy(predicted: q, expected: Tensor([[1, 0]])).backward()
        #expect(q.gradient!.scalars[0] < 0)
    }
}

/// Data with NaN or infinite values is refused before training, and a killed write's
/// temporary file is cleaned up by the next write.
struct HostileDataTests {
    @Test func nonFiniteValuesInDataAreReportedWithCounts() throws {
        let model = Sequential(inputShape: [2], loss: .meanSquaredError) { Dense(1) }
        var x = Tensor([[1, 2], [3, 4], [5, 6]])
        x.scalars[3] = .nan
        x.scalars[4] = .infinity
        do {
            try model.fit(x, Tensor([[1], [2], [3]]), progress: .silent)
            Issue.record("NaN inputs were accepted")
        } catch {
            #expect("\(error)".contains("1 NaN and 1 infinite values (the first in sample 1)"))
        }
        #expect(throws: NeuralNetError.self) { try model.evaluate(Tensor([[1, 2]]), Tensor([[Float.nan]])) }
        // Huge but finite values whose sum overflows are not mistaken for bad ones.
        _ = try model.evaluate(Tensor([[3e38, 3e38]]), Tensor([[1]]))
    }

    @Test func theNextWriteRemovesAKilledWritersTemporaryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // PID 2^22 + 1 is above Linux's largest PID, so no process has it.
        let abandoned = directory.appendingPathComponent(".model.safetensors.4194305.12345.tmp")
        let live = directory.appendingPathComponent(".model.safetensors.\(ProcessInfo.processInfo.processIdentifier).7.tmp")
        let other = directory.appendingPathComponent(".other.4194305.1.tmp")
        for file in [abandoned, live, other] { try Data([1]).write(to: file) }
        try AtomicFile.write(Data([1, 2, 3]), to: directory.appendingPathComponent("model.safetensors").path)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == [".model.safetensors.\(ProcessInfo.processInfo.processIdentifier).7.tmp", ".other.4194305.1.tmp", "model.safetensors"])
    }
}
