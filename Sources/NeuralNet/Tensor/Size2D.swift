import NeuralNetKernels

/// A height and a width, for kernel sizes, strides and pool sizes: `kernelSize: 3` means 3×3 and
/// `kernelSize: [3, 5]` means 3 high and 5 wide.
public struct Size2D: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Rows.
    public let height: Int
    /// Columns.
    public let width: Int

    /// A size of `height × width`. Layers check that both are positive when the model is
    /// built (see `ArgumentChecked`).
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// A square size: `3` is 3×3.
    public init(integerLiteral value: Int) { self.init(value, value) }

    /// `[height, width]`, or `[side]` for a square.
    public init(arrayLiteral elements: Int...) {
        check(elements.count == 1 || elements.count == 2, "a 2-D size takes 1 or 2 numbers, got \(elements)")
        self.init(elements[0], elements.last!)
    }

    public var description: String { height == width ? "\(height)" : "[\(height), \(width)]" }

    /// Whether both sides are positive (and small enough to index a tensor).
    var isValid: Bool { (1...Int(Int32.max)).contains(height) && (1...Int(Int32.max)).contains(width) }
}

/// How a window treats the image border, as in Keras.
public enum Padding: String, Codable, Sendable, CaseIterable {
    /// No padding: only windows fully inside the image; `out = ⌊(in - k) / s⌋ + 1`.
    case valid
    /// Zero padding split evenly (the extra row or column at the bottom or right) so that
    /// `out = ⌈in / s⌉`.
    case same
}

extension ConvolutionGeometry {
    /// The geometry of `window` sliding by `strides` over `[batch, height, width, channels]`,
    /// or `nil` if no window fits.
    static func make(inputShape: [Int], window: Size2D, strides: Size2D, padding: Padding) -> ConvolutionGeometry? {
        guard inputShape.count == 4 else { return nil }
        let (height, width) = (inputShape[1], inputShape[2])
        func along(_ size: Int, _ k: Int, _ s: Int) -> (output: Int, before: Int) {
            switch padding {
            case .valid:
                return (size >= k ? (size - k) / s + 1 : 0, 0)
            case .same:
                let output = (size + s - 1) / s
                let total = max((output - 1) * s + k - size, 0)
                return (output, total / 2)
            }
        }
        let rows = along(height, window.height, strides.height)
        let columns = along(width, window.width, strides.width)
        guard rows.output > 0, columns.output > 0 else { return nil }
        return ConvolutionGeometry(
            batch: inputShape[0], height: height, width: width, channels: inputShape[3],
            kernelHeight: window.height, kernelWidth: window.width, strideHeight: strides.height, strideWidth: strides.width,
            padTop: rows.before, padLeft: columns.before, outputHeight: rows.output, outputWidth: columns.output)
    }
}
