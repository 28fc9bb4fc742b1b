/// How each built-in optimizer reads and writes every hyperparameter in model files; the list
/// of types is `Registry.standard`.
extension SGD: SpecifiableOptimizer {
    public static var typeName: String { "sgd" }

    public convenience init(arguments: inout SpecArguments) throws {
        let common = try arguments.commonHyperparameters(learningRate: 0.01)
        self.init(learningRate: common.learningRate, momentum: try arguments.float("momentum", default: 0),
                  nesterov: try arguments.bool("nesterov", default: false), weightDecay: common.weightDecay,
                  clipNorm: common.clipNorm)
    }

    public var arguments: [String: JSONValue] {
        commonArguments(self, weightDecay: weightDecay)
            .merging(["momentum": .number(Double(momentum)), "nesterov": .bool(nesterov)]) { $1 }
    }
}

extension Adam: SpecifiableOptimizer {
    public static var typeName: String { "adam" }

    public convenience init(arguments: inout SpecArguments) throws {
        let common = try arguments.commonHyperparameters(learningRate: 1e-3)
        self.init(learningRate: common.learningRate, beta1: try arguments.float("beta1", default: 0.9),
                  beta2: try arguments.float("beta2", default: 0.999), epsilon: try arguments.float("epsilon", default: 1e-7),
                  weightDecay: common.weightDecay, clipNorm: common.clipNorm)
    }

    public var arguments: [String: JSONValue] {
        commonArguments(self, weightDecay: weightDecay).merging([
            "beta1": .number(Double(beta1)), "beta2": .number(Double(beta2)), "epsilon": .number(Double(epsilon)),
        ]) { $1 }
    }
}

extension AdamW: SpecifiableOptimizer {
    public static var typeName: String { "adamw" }

    public convenience init(arguments: inout SpecArguments) throws {
        let common = try arguments.commonHyperparameters(learningRate: 1e-3, weightDecay: 0.01)
        self.init(learningRate: common.learningRate, beta1: try arguments.float("beta1", default: 0.9),
                  beta2: try arguments.float("beta2", default: 0.999), epsilon: try arguments.float("epsilon", default: 1e-7),
                  weightDecay: common.weightDecay, clipNorm: common.clipNorm)
    }

    public var arguments: [String: JSONValue] {
        commonArguments(self, weightDecay: decoupledWeightDecay).merging([
            "beta1": .number(Double(beta1)), "beta2": .number(Double(beta2)), "epsilon": .number(Double(epsilon)),
        ]) { $1 }
    }
}

extension RMSProp: SpecifiableOptimizer {
    public static var typeName: String { "rmsprop" }

    public convenience init(arguments: inout SpecArguments) throws {
        let common = try arguments.commonHyperparameters(learningRate: 1e-3)
        self.init(learningRate: common.learningRate, rho: try arguments.float("rho", default: 0.9),
                  epsilon: try arguments.float("epsilon", default: 1e-7), weightDecay: common.weightDecay,
                  clipNorm: common.clipNorm)
    }

    public var arguments: [String: JSONValue] {
        commonArguments(self, weightDecay: weightDecay)
            .merging(["rho": .number(Double(rho)), "epsilon": .number(Double(epsilon))]) { $1 }
    }
}

extension Adagrad: SpecifiableOptimizer {
    public static var typeName: String { "adagrad" }

    public convenience init(arguments: inout SpecArguments) throws {
        let common = try arguments.commonHyperparameters(learningRate: 1e-2)
        self.init(learningRate: common.learningRate, epsilon: try arguments.float("epsilon", default: 1e-10),
                  weightDecay: common.weightDecay, clipNorm: common.clipNorm)
    }

    public var arguments: [String: JSONValue] {
        commonArguments(self, weightDecay: weightDecay).merging(["epsilon": .number(Double(epsilon))]) { $1 }
    }
}
