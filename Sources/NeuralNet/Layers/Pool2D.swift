import NeuralNetKernels

/// A layer that reduces each window of an image to one value per channel. Conforming layers
/// give the window and the reduction; building, shape checks and printing are shared.
public protocol WindowPooling: Layer {
    /// The window's height and width.
    var poolSize: Size2D { get }
    /// The step between windows.
    var strides: Size2D { get }
    /// Whether windows may reach past the border.
    var padding: Padding { get }
    /// The layer's name in descriptions and model files.
    static var typeName: String { get }
    /// A layer pooling `poolSize` windows; `strides: nil` steps by the pool size.
    init(_ poolSize: Size2D, strides: Size2D?, padding: Padding)
    /// The reduction applied to a batch.
    func pool(_ input: Variable) -> Variable
}

extension WindowPooling {
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        try pooledShape(inputShape)
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        _ = try pooledShape(Array(input.shape.dropFirst()))
        return pool(input)
    }

    public var description: String {
        var parts = ["\(poolSize)"]
        if strides != poolSize { parts.append("strides: \(strides)") }
        if padding != .valid { parts.append("padding: \(padding)") }
        return "\(Self.typeName)(" + parts.joined(separator: ", ") + ")"
    }

    /// The per-sample output shape for `inputShape`, or a shape error naming the layer.
    func pooledShape(_ inputShape: [Int]) throws -> [Int] {
        guard poolSize.isValid, strides.isValid else {
            throw NeuralNetError.invalidArgument(
                "\(description): the pool size and strides must be positive, got \(poolSize) and \(strides); 2 halves an image")
        }
        guard inputShape.count == 3 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "images [height, width, channels] per sample", actual: inputShape)
        }
        guard let g = ConvolutionGeometry.make(inputShape: [1] + inputShape, window: poolSize, strides: strides, padding: padding) else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "images at least \(poolSize.height)×\(poolSize.width)", actual: inputShape,
                hint: "Use padding: .same or a smaller pool size")
        }
        return [g.outputHeight, g.outputWidth, inputShape[2]]
    }
}

/// Max pooling: the largest value of each window, per channel.
/// Input `[batch, height, width, channels]`, output `[batch, outHeight, outWidth, channels]`.
/// `MaxPool2D(2)` halves the height and width.
public final class MaxPool2D: WindowPooling {
    /// The window's height and width.
    public let poolSize: Size2D
    /// The step between windows.
    public let strides: Size2D
    /// Whether windows may reach past the border.
    public let padding: Padding

    /// A max-pooling layer; `strides: nil` steps by the pool size.
    public init(_ poolSize: Size2D = 2, strides: Size2D? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    /// The maximum of each window.
    public func pool(_ input: Variable) -> Variable { input.maxPool2d(poolSize: poolSize, strides: strides, padding: padding) }
}

/// Average pooling: the mean of each window, per channel (windows at a `.same` border average
/// only the cells inside the image).
public final class AvgPool2D: WindowPooling {
    /// The window's height and width.
    public let poolSize: Size2D
    /// The step between windows.
    public let strides: Size2D
    /// Whether windows may reach past the border.
    public let padding: Padding

    /// An average-pooling layer; `strides: nil` steps by the pool size.
    public init(_ poolSize: Size2D = 2, strides: Size2D? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    /// The mean of each window.
    public func pool(_ input: Variable) -> Variable { input.averagePool2d(poolSize: poolSize, strides: strides, padding: padding) }
}

/// The mean over height and width of each channel: `[batch, h, w, c] → [batch, c]`.
public final class GlobalAveragePooling2D: Layer {
    /// A global average pooling layer.
    public init() {}

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "images [height, width, channels] per sample", actual: inputShape)
        }
        return [inputShape[2]]
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count == 4 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, height, width, channels]", actual: input.shape)
        }
        let (batch, channels) = (input.shape[0], input.shape[3])
        return input.reshaped(to: [batch, -1, channels]).mean(alongAxis: 1)
    }

    public var description: String { "GlobalAveragePooling2D()" }
}
