/// A symbolic tensor of a graph model: an `Input`, or the result of calling a layer on nodes.
///
/// ```swift
/// let input = Input(shape: [784])
/// let hidden = Dense(128, activation: .relu)(input)     // a node; nothing is computed
/// let output = Dense(10)(hidden + Dense(128)(input))    // `+` records an Add layer
/// let model = Model(inputs: input, outputs: output, loss: .softmaxCrossEntropy)
/// ```
///
/// Calling a layer records an edge and never throws: shapes are checked when the model is
/// built (`build()`, `fit`, `evaluate`, `summary()`), before any data, with errors naming the
/// layer and the shapes. A node's inputs are fixed when it is made, so a graph has no cycles.
public class Node {
    /// The layer that computes this node; `nil` for an `Input`.
    public let layer: (any Layer)?
    /// The nodes the layer was called on, in order.
    public let inputs: [Node]

    init(layer: (any Layer)?, inputs: [Node]) {
        self.layer = layer
        self.inputs = inputs
    }

    /// `Add()([a, b])`.
    public static func + (a: Node, b: Node) -> Node { Add()([a, b]) }
    /// `Subtract()([a, b])`.
    public static func - (a: Node, b: Node) -> Node { Subtract()([a, b]) }
    /// `Multiply()([a, b])`.
    public static func * (a: Node, b: Node) -> Node { Multiply()([a, b]) }
}

/// An input of a graph model: samples of `shape` (batch excluded).
public final class Input: Node {
    /// The shape of one sample.
    public let shape: [Int]

    /// An input for samples of `shape`: `Input(shape: [28, 28, 1])`.
    public init(shape: [Int]) {
        self.shape = shape
        super.init(layer: nil, inputs: [])
    }
}

/// One node or several, where a model takes either: `Model(inputs: x, ...)` or
/// `Model(inputs: [left, right], ...)`.
public protocol NodeGroup {
    /// The nodes, in order.
    var nodes: [Node] { get }
}

extension Node: NodeGroup {
    /// `[self]`.
    public var nodes: [Node] { [self] }
}

extension Array: NodeGroup where Element: Node {
    /// The nodes of the array.
    public var nodes: [Node] { self }
}

extension Layer {
    /// Records a call of this layer on `node` and returns its result, to build a graph model.
    /// The same layer object called twice is one set of weights (shared).
    public func callAsFunction(_ node: Node) -> Node { Node(layer: self, inputs: [node]) }
}

extension MergeLayer {
    /// Records a call of this merge layer on `nodes`.
    public func callAsFunction(_ nodes: [Node]) -> Node { Node(layer: self, inputs: nodes) }
}
