/// `size · factor` if it is a valid tensor size, else 0: the size of the empty placeholder
/// parameter a layer holds before it is built, which must not trap on arguments that the
/// layer will report as wrong when built.
func placeholderSize(_ size: Int, times factor: Int = 1) -> Int {
    let (product, overflow) = size.multipliedReportingOverflow(by: factor)
    return !overflow && product >= 0 && product <= Int32.max ? product : 0
}

/// A type whose arguments may be wrong: it says so when asked, rather than stopping. This is
/// how layers, optimizers and callbacks report bad arguments in every build.
///
/// Their initialisers do not throw, so that `Dense(128)` and `Adam()` read as they do in
/// Keras; instead each says what is wrong with its arguments when asked (`argumentProblem`),
/// and the model throws it as `NeuralNetError.invalidArgument` when it is built (layers, with the
/// layer's place in the model) or when `fit` starts (optimizers, callbacks). No bad argument
/// reaches a kernel, and nothing stops the program.
///
/// ```swift
/// let model = Sequential([Dense(0)], loss: .meanSquaredError)
/// try model.build(inputShape: [4])
/// // layer 0, Dense(? → 0): units must be positive, got 0; give the number of outputs, such as Dense(10)
/// ```
///
/// Each type writes its checks as a chain of `guard condition else { return "message" }`, so
/// that valid arguments cost a few comparisons and no message is built unless one fails.
public protocol ArgumentChecked {
    /// The first problem with the arguments this value was made with (what was given, what is
    /// valid and a fix), or nil when they are fine.
    var argumentProblem: String? { get }
}

extension ArgumentChecked {
    /// Throws `NeuralNetError.invalidArgument` with `argumentProblem`, naming `subject`.
    func checkArguments(_ subject: String) throws {
        if let argumentProblem { throw NeuralNetError.invalidArgument("\(subject): \(argumentProblem)") }
    }
}

extension Layer {
    /// Throws the first argument problem of this layer or any layer inside it, naming the
    /// layer (`"TransformerBlock(...) > feedForward1, Dense(0): units must be positive ..."`).
    /// Models call it when they build each layer, and a layer used alone before it builds.
    func checkArgumentsDeep(path: String = "") throws {
        let name = path.isEmpty ? description : "\(path) > \(description)"
        if let checked = self as? any ArgumentChecked { try checked.checkArguments(name) }
        for (childName, child) in children { try child.checkArgumentsDeep(path: "\(name) > \(childName)") }
    }
}
