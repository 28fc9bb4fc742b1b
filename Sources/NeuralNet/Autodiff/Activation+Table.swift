import Foundation
import NeuralNetKernels

/// The one table of every activation's function and derivative. The tape
/// (`Variable.activated(by:)`), the fused epilogue of Dense and Conv2D
/// (`Tensor.applyActivation`, `Tensor.multiplyByDerivative`) and the `Activation` layer all
/// read it, so adding an activation is a case of `Kind` and two lines here.
///
/// `softmax` and `logSoftmax` work on whole rows, not element by element; they live in
/// `Variable+Activations.swift` and are dispatched from `Variable.activated(by:)`.
extension Activation.Kind {
    /// Whether `f` works element by element (all but `softmax` and `logSoftmax`).
    public var isElementwise: Bool { self != .softmax && self != .logSoftmax }

    /// `f(x)` for an element-wise kind with coefficient `alpha`.
    @inline(__always)
    func value(_ x: Float, alpha: Float) -> Float {
        switch self {
        case .linear: x
        case .relu: Swift.max(x, 0)
        case .leakyRelu: x > 0 ? x : alpha * x
        case .elu: x > 0 ? x : alpha * Foundation.expm1(x)
        case .selu: Selu.scale * (x > 0 ? x : Selu.alpha * Foundation.expm1(x))
        case .gelu: x * normalCDF(x)
        case .sigmoid: logistic(x)
        case .tanh: Elementwise.tanh(x)
        case .softplus: Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
        case .softsign: x / (1 + Swift.abs(x))
        case .swish: x * logistic(x)
        case .softmax, .logSoftmax: fatalError("\(self) is not element-wise; use Variable.activated(by:)")
        }
    }

    /// `f'(x)` given the input `x` and the output `y = f(x)`. For the kinds where
    /// `derivativeNeedsOnlyOutput` holds, passing `y` for `x` gives the same value (only the
    /// sign of `x` is read, and `y` has that sign).
    @inline(__always)
    func derivative(input x: Float, output y: Float, alpha: Float) -> Float {
        switch self {
        case .linear: 1
        case .relu: x > 0 ? 1 : 0
        case .leakyRelu: x > 0 ? 1 : alpha
        case .elu: x > 0 ? 1 : y + alpha
        case .selu: x > 0 ? Selu.scale : Selu.scale * Selu.alpha * Foundation.exp(x)
        case .gelu: normalCDF(x) + x * Foundation.exp(-0.5 * x * x) * 0.398_942_3
        case .sigmoid: y * (1 - y)
        case .tanh: Elementwise.tanhSlope(output: y)
        case .softplus: logistic(x)
        case .softsign: 1 / ((1 + Swift.abs(x)) * (1 + Swift.abs(x)))
        case .swish: logistic(x) + y * (1 - logistic(x))
        case .softmax, .logSoftmax: fatalError("\(self) is not element-wise; use Variable.activated(by:)")
        }
    }

    /// Whether `f'` can be computed from the output alone, which the fused layers need (they
    /// keep only the output). For leaky ReLU and ELU that takes a positive `alpha`, so that the
    /// sign of the output is the sign of the input.
    func derivativeNeedsOnlyOutput(alpha: Float) -> Bool {
        switch self {
        case .linear, .relu, .tanh, .sigmoid: true
        case .leakyRelu, .elu: alpha > 0
        default: false
        }
    }
}

/// The constants of scaled ELU (Klambauer et al., 2017).
enum Selu {
    static let alpha: Float = 1.673_263_2
    static let scale: Float = 1.050_701
}

extension Activation {
    /// Whether `f'(z)` can be computed from `y = f(z)` alone, which the fused ops need.
    public var hasDerivativeFromOutput: Bool { kind.derivativeNeedsOnlyOutput(alpha: alpha) }

    /// `f(x)` on the tape: `x.activated(by: self)`.
    public func apply(_ x: Variable) -> Variable { x.activated(by: self) }
}

extension Variable {
    /// `activation(self)` on the tape: element by element from the table above, or softmax /
    /// log-softmax over the last axis. `∂/∂x = g ⊙ f'(x)`.
    public func activated(by activation: Activation) -> Variable {
        let (kind, alpha) = (activation.kind, activation.alpha)
        switch kind {
        case .linear: return self
        case .softmax: return softmax()
        case .logSoftmax: return logSoftmax()
        case .gelu: return vectorizedGELU()
        default: break
        }
        let x = value
        let y = x.map { kind.value($0, alpha: alpha) }
        return unary(y) { upstream in
            var gradient = upstream
            gradient.scalars.withUnsafeMutableBufferPointer { g in
                x.scalars.withUnsafeBufferPointer { x in
                    y.scalars.withUnsafeBufferPointer { y in
                        for i in 0..<g.count { g[i] *= kind.derivative(input: x[i], output: y[i], alpha: alpha) }
                    }
                }
            }
            return gradient
        }
    }
}

extension Variable {
    /// GELU through the vectorised kernels (`Elementwise.gelu`), equal to the table's formula
    /// within 2e-7: the transformer's feed-forward layers apply it to millions of elements.
    func vectorizedGELU() -> Variable {
        let x = value
        var y = Tensor(uninitializedDimensions: x.dimensions)
        x.scalars.withUnsafeBufferPointer { x in
            y.scalars.withUnsafeMutableBufferPointer { y in Elementwise.gelu(x.baseAddress!, into: y.baseAddress!, count: y.count) }
        }
        return unary(y) { upstream in
            var gradient = upstream
            x.scalars.withUnsafeBufferPointer { x in
                gradient.scalars.withUnsafeMutableBufferPointer { g in
                    Elementwise.geluBackward(x.baseAddress!, scaling: g.baseAddress!, count: g.count)
                }
            }
            return gradient
        }
    }
}

extension Tensor {
    /// Applies `activation` in place, for the fused ops; the multiply has already applied
    /// linear and ReLU.
    mutating func applyActivation(_ activation: Activation) {
        let (kind, alpha) = (activation.kind, activation.alpha)
        guard kind != .linear, kind != .relu else { return }
        guard kind.isElementwise else { fatalError("applyActivation: \(activation) is not element-wise") }
        scalars.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] = kind.value(y[i], alpha: alpha) }
        }
    }

    /// Multiplies this upstream gradient by `f'(z)` in place, with `f'` read from the output
    /// `y = f(z)` of the activation `kind` (and its `alpha`): it becomes `∂loss/∂z`.
    mutating func multiplyByDerivative(of kind: Activation.Kind, alpha: Float, output y: Tensor) {
        guard dimensions == y.dimensions else {
            fatalError("activation gradient: upstream \(shape) does not match output \(y.shape)")
        }
        guard kind.derivativeNeedsOnlyOutput(alpha: alpha) else {
            fatalError("activation gradient: \(kind) needs its input, which a fused op does not keep")
        }
        guard kind != .linear else { return }
        y.scalars.withUnsafeBufferPointer { y in
            scalars.withUnsafeMutableBufferPointer { g in
                if kind == .relu { return Elementwise.reluBackward(y.baseAddress!, scaling: g.baseAddress!, count: g.count) }
                // For these kinds the output stands in for the input (see `derivative`).
                for i in 0..<g.count { g[i] *= kind.derivative(input: y[i], output: y[i], alpha: alpha) }
            }
        }
    }
}
