/// The layer and optimizer types, custom losses and custom metrics that `load` and model files
/// can name. `Registry.standard`
/// holds the built-in ones; add your own to a copy and pass it to `load`:
///
/// ```swift
/// var registry = Registry.standard
/// registry.register(MyBlock.self)           // a SpecifiableLayer
/// registry.register(MyOptimizer.self)       // a SpecifiableOptimizer
/// registry.register(logCosh)                // a Loss(name:_:)
/// registry.register(within10)               // a Metric.custom(...)
/// let model = try Model.load(from: url, registry: registry)
/// ```
///
/// A registry is a value passed to `load`, never global state. Names are looked up ignoring
/// case and `_`.
public struct Registry {
    private var layers: [String: any SpecifiableLayer.Type] = [:]
    private var optimizers: [String: any SpecifiableOptimizer.Type] = [:]
    private var losses: [String: Loss] = [:]
    private var metrics: [String: Metric] = [:]
    /// The layer type names, in the order they were registered.
    public private(set) var layerTypeNames: [String] = []
    /// The optimizer type names, in the order they were registered.
    public private(set) var optimizerTypeNames: [String] = []

    /// The custom loss names, in the order they were registered.
    public private(set) var lossNames: [String] = []
    /// The custom metric names, in the order they were registered.
    public private(set) var metricNames: [String] = []

    /// An empty registry.
    public init() {}

    /// The built-in layers and optimizers.
    public static var standard: Registry {
        var registry = Registry()
        let layers: [any SpecifiableLayer.Type] = [
            Dense.self, Activation.self, Flatten.self, Dropout.self, Conv2D.self, MaxPool2D.self, AvgPool2D.self,
            GlobalAveragePooling2D.self, BatchNorm.self, Reshape.self,
            Add.self, Subtract.self, Multiply.self, Average.self, Concatenate.self,
            Embedding.self, PositionEmbedding.self, LayerNorm.self, MultiHeadAttention.self, TransformerBlock.self,
            LSTM.self, GRU.self,
        ]
        layers.forEach { registry.register($0) }
        let optimizers: [any SpecifiableOptimizer.Type] = [SGD.self, Adam.self, AdamW.self, RMSProp.self, Adagrad.self]
        optimizers.forEach { registry.register($0) }
        return registry
    }

    /// Adds (or replaces) a layer type under its `typeName`.
    public mutating func register(_ type: any SpecifiableLayer.Type) {
        let key = NameTable.normalized(type.typeName)
        if layers.updateValue(type, forKey: key) == nil { layerTypeNames.append(type.typeName) }
    }

    /// Adds (or replaces) an optimizer type under its `typeName`.
    public mutating func register(_ type: any SpecifiableOptimizer.Type) {
        let key = NameTable.normalized(type.typeName)
        if optimizers.updateValue(type, forKey: key) == nil { optimizerTypeNames.append(type.typeName) }
    }

    /// Adds (or replaces) a custom loss under its name, which takes precedence over a built-in
    /// loss of the same name.
    public mutating func register(_ loss: Loss) {
        if losses.updateValue(loss, forKey: NameTable.normalized(loss.name)) == nil { lossNames.append(loss.name) }
    }

    /// Adds (or replaces) a custom metric under its name.
    public mutating func register(_ metric: Metric) {
        if metrics.updateValue(metric, forKey: NameTable.normalized(metric.name)) == nil { metricNames.append(metric.name) }
    }

    /// The custom loss named `name`, if registered.
    public func loss(named name: String) -> Loss? { losses[NameTable.normalized(name)] }

    /// The custom metric named `name`, if registered.
    public func metric(named name: String) -> Metric? { metrics[NameTable.normalized(name)] }

    /// The layer type named `name`, if registered.
    public func layerType(named name: String) -> (any SpecifiableLayer.Type)? { layers[NameTable.normalized(name)] }

    /// The optimizer type named `name`, if registered.
    public func optimizerType(named name: String) -> (any SpecifiableOptimizer.Type)? {
        optimizers[NameTable.normalized(name)]
    }
}
