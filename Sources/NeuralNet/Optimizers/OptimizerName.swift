/// Optimizers by name, for the command line and model files: `"sgd"`, `"adam"`, `"adamw"`,
/// `"rmsprop"`, `"adagrad"`.
public enum OptimizerName: String, CaseIterable, Codable, Sendable {
    case sgd, adam, adamw, rmsprop, adagrad

    /// The optimizer named `name` (case and `_` ignored), or an error listing the valid names.
    public init(named name: String) throws {
        let table = Dictionary(uniqueKeysWithValues: Self.allCases.map { ($0.rawValue, $0) })
        self = try NameTable.lookUp(name, kind: "optimizer", in: table, validNames: Self.allCases.map(\.rawValue))
    }

    /// A new optimizer of this kind; `nil` takes its default learning rate.
    public func make(learningRate: Float? = nil) -> any Optimizer {
        switch self {
        case .sgd: SGD(learningRate: learningRate ?? 0.01)
        case .adam: Adam(learningRate: learningRate ?? 1e-3)
        case .adamw: AdamW(learningRate: learningRate ?? 1e-3)
        case .rmsprop: RMSProp(learningRate: learningRate ?? 1e-3)
        case .adagrad: Adagrad(learningRate: learningRate ?? 1e-2)
        }
    }
}
