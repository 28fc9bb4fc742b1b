import NeuralNetKernels

/// A 2-D convolution over channels-last images: `activation(conv(input, kernel) + bias)`.
/// Input `[batch, height, width, channels]`, output `[batch, outHeight, outWidth, filters]`.
///
/// ```swift
/// Conv2D(filters: 32, kernelSize: 3, activation: .relu)              // channels inferred
/// Conv2D(filters: 16, kernelSize: [3, 5], strides: 2, padding: .same, inputChannels: 3)
/// ```
public final class Conv2D: Layer {
    /// `[kernelHeight, kernelWidth, inputChannels, filters]`; empty until built.
    public let kernel: Parameter
    /// `[filters]`, or `nil` without bias.
    public let bias: Parameter?
    /// The number of output channels.
    public let filters: Int
    /// The window's height and width.
    public let kernelSize: Size2D
    /// The step between windows.
    public let strides: Size2D
    /// Whether windows may reach past the border (`.same`) or not (`.valid`).
    public let padding: Padding
    /// Applied to the convolution plus bias.
    public let activation: Activation
    // Written only by `build`, in plain assignments: see `Dense.inputSize`.
    /// The number of input channels, known once given or built.
    @exclusivity(unchecked) public private(set) var inputChannels: Int?
    /// Draws the first kernel: He for the ReLU family, Glorot otherwise, unless given.
    public let kernelInitializer: Initializer
    private let kernelLeaves: ParameterLeaves
    private let biasLeaves: ParameterLeaves?

    /// A convolution with `filters` output channels.
    public init(
        filters: Int, kernelSize: Size2D, strides: Size2D = 1, padding: Padding = .valid, activation: Activation = .linear,
        useBias: Bool = true, inputChannels: Int? = nil, kernelInitializer: Initializer? = nil
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.inputChannels = inputChannels
        self.kernelInitializer = kernelInitializer ?? .defaultWeights(for: activation)
        kernel = Parameter(.zeros(kernelSize.isValid && filters > 0 && filters <= Int32.max
                                  ? [kernelSize.height, kernelSize.width, 0, filters] : [0, 0, 0, 0]))
        bias = useBias ? Parameter(.zeros([0])) : nil
        kernelLeaves = ParameterLeaves(kernel)
        biasLeaves = bias.map(ParameterLeaves.init)
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "images [height, width, channels] per sample", actual: inputShape,
                hint: inputShape.count == 2 ? "Add a channel axis, e.g. Reshape([\(inputShape[0]), \(inputShape[1]), 1])"
                    : "Reshape flat inputs to images first, e.g. Reshape([28, 28, 1])")
        }
        let channels = inputShape[2]
        if let inputChannels, inputChannels != channels {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "\(inputChannels) channels", actual: inputShape,
                hint: "The previous layer produces \(channels) channels; drop inputChannels: to infer it")
        }
        guard let g = ConvolutionGeometry.make(inputShape: [1] + inputShape, window: kernelSize, strides: strides, padding: padding) else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "images at least \(kernelSize.height)×\(kernelSize.width)", actual: inputShape,
                hint: "Use padding: .same, a smaller kernel, or less pooling before this layer")
        }
        if kernel.value.count == 0 {
            try Parameter.checkRoom(for: [[kernelSize.height, kernelSize.width, channels, filters]], layer: description)
            inputChannels = channels
            let area = kernelSize.height * kernelSize.width
            kernel.value = kernelInitializer.tensor(
                shape: [kernelSize.height, kernelSize.width, channels, filters], fanIn: area * channels, fanOut: area * filters,
                using: &generator)
            bias?.value = .zeros([filters])
        }
        return [g.outputHeight, g.outputWidth, filters]
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count == 4, input.shape[3] == inputChannels,
              ConvolutionGeometry.make(inputShape: input.shape, window: kernelSize, strides: strides, padding: padding) != nil
        else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "[batch, height, width, \(inputChannels.map(String.init) ?? "channels")]",
                actual: input.shape)
        }
        return input.conv2d(
            kernel: kernelLeaves.leaf(), bias: biasLeaves?.leaf(), activation: activation, strides: strides, padding: padding)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("kernel", kernel)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var description: String {
        var parts = ["\(inputChannels.map(String.init) ?? "?") → \(filters)", "\(kernelSize.height)×\(kernelSize.width)"]
        if strides != 1 { parts.append("strides: \(strides)") }
        if padding != .valid { parts.append("padding: \(padding)") }
        if activation.kind != .linear { parts.append("\(activation)") }
        return "Conv2D(" + parts.joined(separator: ", ") + ")"
    }
}

extension Conv2D: ArgumentChecked {
    public var argumentProblem: String? {
        guard filters > 0 else {
            return "filters must be positive, got \(filters); give the number of output channels, such as Conv2D(filters: 32, ...)"
        }
        guard kernelSize.isValid else { return "kernelSize must be positive, got \(kernelSize); 3 is the usual size" }
        guard strides.isValid else { return "strides must be positive, got \(strides); 1 keeps every position" }
        guard (inputChannels ?? 1) > 0 else {
            return "inputChannels must be positive, got \(inputChannels ?? 0); leave it out to infer it"
        }
        if let problem = activation.argumentProblem { return problem }
        return nil
    }
}
