import Foundation
import NeuralNetKernels

/// The fused `activation(x · W + b)`: one matrix multiply that adds the bias (and applies ReLU)
/// to each tile of the result while it is in cache, then, for other activations, one pass in
/// place; the pullback turns the upstream gradient into `∂z` in one
/// pass (from the output alone), then `∂b = Σ_rows ∂z`, `∂W = xᵀ · ∂z`, `∂x = ∂z · Wᵀ`.
/// Dense and Conv2D layers use it whenever their activation's derivative can be read from its
/// output; the result equals the composed `(x.matmul(w) + b)` followed by the activation.
extension Variable {
    /// `activation(self · weight + bias)` for `self` `[rows, k]`, `weight` `[k, n]`, `bias` `[n]`.
    public func affine(weight: Variable, bias: Variable?, activation: Activation) -> Variable {
        check(activation.hasDerivativeFromOutput, "affine: \(activation) needs its input for its derivative")
        let w = weight.value, b = bias?.value
        check(
            b.map { $0.dimensions == Dimensions(length: w.dimensions[1]) } ?? true,
            "affine: bias \(bias!.shape) does not fit weight \(weight.shape)")
        var output = value.matmul(w, transposeSelf: false, transposeOther: false, reusing: nil,
                                  bias: b, relu: activation.kind == .relu)
        output.applyActivation(activation)
        return AffineNode(output: output, input: self, weight: weight, bias: bias, activation: activation)
    }
}

/// The node of `affine`: its three inputs are stored properties, so recording it costs one
/// allocation; `runPullback` is the pullback.
final class AffineNode: Variable {
    // Only this node's own methods touch these, and none of them calls out while writing
    // one, so accesses never overlap: the run-time exclusivity checks (a third of this
    // node's cost per step) are skipped.
    @exclusivity(unchecked) private var input: Variable?
    @exclusivity(unchecked) private var weight: Variable?
    @exclusivity(unchecked) private var bias: Variable?
    // The activation's kind and parameter, not the `Activation` object: plain values cost
    // no reference counting.
    private let activation: Activation.Kind
    private let alpha: Float

    init(output: Tensor, input: Variable, weight: Variable, bias: Variable?, activation: Activation) {
        (self.activation, self.alpha) = (activation.kind, activation.alpha)
        super.init(value: output, inputs: input, weight, bias)
        if isInterior { (self.input, self.weight, self.bias) = (input, weight, bias) }
    }

    override func runPullback(_ upstream: consuming Tensor?, into frontier: inout Frontier) {
        // The inputs move out of the node: it runs once, and moving costs no reference counting.
        guard let input = input.take(), let weight = weight.take() else { return }
        let bias = bias.take()
        // The upstream gradient is this node's alone by now, so `∂z` takes its place.
        if var dz = upstream.take() {
            dz.multiplyByDerivative(of: activation, alpha: alpha, output: storedValue)
            let (x, w) = (input.value, weight.value)
            let (m, k, n) = (x.dimensions[0], w.dimensions[0], w.dimensions[1])
            if m > 0, k > 0, n > 0, MatrixMultiply.isTiny(m: m, n: n, k: k) {
                smallGradients(dz, x: x, w: w, m: m, k: k, n: n, input: input, weight: weight, bias: bias)
            } else {
                if input.requiresGradient { input.receiveProduct(dz, timesTransposeOf: w) }
                if weight.requiresGradient {
                    weight.receive(x.matmul(dz, transposeSelf: true, transposeOther: false, reusing: weight.gradientStorage()))
                }
                if let bias, bias.requiresGradient { bias.receive(dz.sumOfRows(reusing: bias.gradientStorage())) }
            }
        }
        Variable.enqueue(input, into: &frontier)
        Variable.enqueue(weight, into: &frontier)
        Variable.enqueue(bias, into: &frontier)
    }

    /// The three gradients of a tiny product in one call of plain loops: the general path's
    /// separate multiplies cost more in calls and checks than in arithmetic at these sizes
    /// (a small network's training step). Same results as the general path.
    private func smallGradients(
        _ dz: Tensor, x: Tensor, w: Tensor, m: Int, k: Int, n: Int, input: Variable, weight: Variable, bias: Variable?
    ) {
        let (needX, needW, needB) = (input.requiresGradient, weight.requiresGradient, bias?.requiresGradient ?? false)
        var dx = needX ? Tensor(uninitializedDimensions: x.dimensions) : Tensor.empty
        var dw = needW ? Tensor(reusing: weight.gradientStorage(), dimensions: w.dimensions) : Tensor.empty
        var db = needB ? Tensor(reusing: bias!.gradientStorage(), dimensions: Dimensions(length: n)) : Tensor.empty
        x.scalars.withUnsafeBufferPointer { x in
            w.scalars.withUnsafeBufferPointer { w in
                dz.scalars.withUnsafeBufferPointer { dz in
                    dx.withMutableScalars(if: needX) { dx in
                        dw.withMutableScalars(if: needW) { dw in
                            db.withMutableScalars(if: needB) { db in
                                MatrixMultiply.smallAffineBackward(
                                    m: m, k: k, n: n, x: x.baseAddress!, w: w.baseAddress!, dz: dz.baseAddress!,
                                    dx: dx, dw: dw, db: db)
                            }
                        }
                    }
                }
            }
        }
        if needX { input.receive(dx) }
        if needW { weight.receive(dw) }
        if needB, let bias { bias.receive(db) }
    }
}

extension Tensor {
    /// Calls `body` with the address of the scalars when `condition` holds, else with nil
    /// (and without touching the tensor).
    mutating func withMutableScalars(if condition: Bool, _ body: (UnsafeMutablePointer<Float>?) -> Void) {
        guard condition else { return body(nil) }
        scalars.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}

extension Tensor {
    /// The sum over every axis but the last: `[..., n] → [n]`, the gradient of a bias;
    /// written into `storage` when it holds `n` scalars that nothing else shares.
    func sumOfRows(reusing storage: consuming Tensor? = nil) -> Tensor {
        let width = dimensions.last ?? 1
        var result = Tensor(reusing: storage, dimensions: Dimensions(length: width))
        guard width > 0, count > 0 else {
            result.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            return result
        }
        scalars.withUnsafeBufferPointer { x in
            result.scalars.withUnsafeMutableBufferPointer { s in
                Elementwise.sumRows(x.baseAddress!, into: s.baseAddress!, rows: count / width, width: width)
            }
        }
        return result
    }
}
