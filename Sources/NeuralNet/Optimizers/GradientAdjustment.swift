/// Gradient clipping and L2 weight decay: what `Optimizer.step` does to the gradients before a
/// rule sees them, on buffers, so that eager steps and compiled epochs share the arithmetic
/// (and give the same bits).
///
/// With a clip norm c and the global norm ‖g‖ = √(Σ over parameters of Σ g²), every gradient is
/// scaled by s = c / ‖g‖ when ‖g‖ > c; then λ · w is added (L2 decay λ): g ← g · s + λ · w, as
/// two roundings, the product first.
struct GradientAdjustment {
    /// The clip norm c, if any.
    let clipNorm: Float?
    /// The L2 decay λ (0 for none).
    let decay: Float

    /// `optimizer`'s clip norm and L2 decay, read once.
    init(of optimizer: any Optimizer) {
        (clipNorm, decay) = (optimizer.clipNorm, optimizer.weightDecay)
    }

    /// Whether the gradients go to the rule as they are.
    var changesNothing: Bool { clipNorm == nil && decay == 0 }

    /// Σ g² of one parameter's gradient, summed in order: its share of the squared global norm
    /// (the shares are added in parameter order).
    static func squares(of gradient: UnsafeBufferPointer<Float>) -> Float {
        gradient.reduce(0) { $0 + $1 * $1 }
    }

    /// `clipNorm / ‖g‖` when the global norm `‖g‖ = √squares` exceeds `clipNorm`; 1 within it
    /// or without a clip norm.
    static func scale(squares: Float, clipNorm: Float?) -> Float {
        guard let clipNorm else { return 1 }
        let norm = squares.squareRoot()
        return norm > clipNorm ? clipNorm / norm : 1
    }

    /// `g ← g · scale` (unless `scale` is 1), then `g ← g + values · decay` (unless `decay`
    /// is 0), element by element over `count` values.
    static func adjust(_ gradient: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>, count: Int, scale: Float,
                       decay: Float) {
        if scale != 1 {
            for index in 0..<count { gradient[index] *= scale }
        }
        if decay != 0 {
            for index in 0..<count { gradient[index] += values[index] * decay }
        }
    }
}
