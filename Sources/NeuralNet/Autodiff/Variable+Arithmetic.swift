/// Differentiable element-wise arithmetic with broadcasting. The gradient of a broadcast
/// operand is the upstream gradient summed back to the operand's shape.
extension Variable {
    /// `a + b`; `∂/∂a = 1`, `∂/∂b = 1`.
    public static func + (a: Variable, b: Variable) -> Variable {
        let (aShape, bShape) = (a.shape, b.shape)
        return Variable(a.value + b.value, inputs: [a, b]) { upstream in
            [upstream.reduced(toShape: aShape), upstream.reduced(toShape: bShape)]
        }
    }

    /// `a - b`; `∂/∂a = 1`, `∂/∂b = -1`.
    public static func - (a: Variable, b: Variable) -> Variable {
        let (aShape, bShape) = (a.shape, b.shape)
        return Variable(a.value - b.value, inputs: [a, b]) { upstream in
            [upstream.reduced(toShape: aShape), (-upstream).reduced(toShape: bShape)]
        }
    }

    /// `a ⊙ b`; `∂/∂a = b`, `∂/∂b = a`.
    public static func * (a: Variable, b: Variable) -> Variable {
        let (x, y) = (a.value, b.value)
        let (needA, needB) = (a.requiresGradient, b.requiresGradient)
        return Variable(x * y, inputs: [a, b]) { upstream in
            [needA ? (upstream * y).reduced(toShape: x.shape) : nil,
             needB ? (upstream * x).reduced(toShape: y.shape) : nil]
        }
    }

    /// `a / b`; `∂/∂a = 1/b`, `∂/∂b = -a/b²`.
    public static func / (a: Variable, b: Variable) -> Variable {
        let (x, y) = (a.value, b.value)
        let (needA, needB) = (a.requiresGradient, b.requiresGradient)
        return Variable(x / y, inputs: [a, b]) { upstream in
            [needA ? (upstream / y).reduced(toShape: x.shape) : nil,
             needB ? (-upstream * x / (y * y)).reduced(toShape: y.shape) : nil]
        }
    }

    /// `-a`.
    public static prefix func - (a: Variable) -> Variable {
        a.unary(-a.value) { upstream in -upstream }
    }

    /// `a + c` for a constant scalar.
    public static func + (a: Variable, c: Float) -> Variable {
        a.unary(a.value + c) { upstream in upstream }
    }

    /// `a - c` for a constant scalar.
    public static func - (a: Variable, c: Float) -> Variable { a + (-c) }

    /// `c - a` for a constant scalar.
    public static func - (c: Float, a: Variable) -> Variable {
        a.unary(c - a.value) { upstream in -upstream }
    }

    /// `a · c` for a constant scalar.
    public static func * (a: Variable, c: Float) -> Variable {
        a.unary(a.value * c) { upstream in upstream * c }
    }

    /// `c · a` for a constant scalar.
    public static func * (c: Float, a: Variable) -> Variable { a * c }

    /// `a / c` for a constant scalar.
    public static func / (a: Variable, c: Float) -> Variable { a * (1 / c) }
}
