import Foundation

/// A small built-in classification problem: two (or more) interleaved spiral arms in the plane,
/// with a little noise. Not linearly separable, so it shows that hidden layers learn.
public enum Spirals {
    /// `count` points split evenly across `classes` arms.
    ///
    /// - Returns: inputs `[count, 2]` and class indices `[count]` (as whole numbers); empty
    ///   tensors when `count` or `classes` is not positive (`fit` then reports empty data).
    public static func make(count: Int, classes: Int = 2, noise: Float = 0.05, seed: UInt64 = 0) -> (x: Tensor, y: Tensor) {
        guard count > 0 && classes > 0 && count <= Int32.max else { return (.zeros([0, 2]), .zeros([0])) }
        var generator = SeededGenerator(seed: seed)
        var points: [Float] = []
        var labels: [Float] = []
        for i in 0..<count {
            let label = i % classes
            let t = Float(i / classes) / Float(max((count + classes - 1) / classes - 1, 1))
            let radius = 0.1 + 0.9 * t
            let angle = 3 * .pi * t + 2 * .pi * Float(label) / Float(classes)
            points.append(radius * cos(angle) + noise * generator.nextNormal())
            points.append(radius * sin(angle) + noise * generator.nextNormal())
            labels.append(Float(label))
        }
        return (Tensor(shape: [count, 2], scalars: points), Tensor(shape: [count], scalars: labels))
    }
}
