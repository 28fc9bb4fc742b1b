/// The calls of a graph model in an order that computes every node after its inputs, found by
/// walking back from the outputs.
///
/// Nodes are numbered by slot: the inputs first (`0..<inputs.count`), then one slot per call
/// in order. Layers are numbered by their first call; a layer called again keeps its number,
/// and its later calls are labelled `"2[1]"` (layer 2, second call) in summaries and errors.
public struct Graph {
    /// One layer applied to the nodes in some slots.
    public struct Call {
        /// The index of the layer in `Model.layers`.
        public let layer: Int
        /// The slots of its inputs.
        public let inputSlots: [Int]
        /// `"3"` for a layer's first call, `"3[1]"` for its second.
        public let label: String
    }

    /// The declared inputs.
    public let inputs: [Input]
    /// The layers, once each, in the order of their first call.
    public let layers: [any Layer]
    /// Every call, each after the calls its inputs come from.
    public let calls: [Call]
    /// The slot of each output.
    public let outputSlots: [Int]
    /// What makes the graph unusable, if anything; reported by the model's first throwing use.
    let problem: NeuralNetError?

    init(inputs inputNodes: [Node], outputs: [Node]) {
        var problems: [String] = []
        var declared: [Input] = []
        for (index, node) in inputNodes.enumerated() {
            if let input = node as? Input { declared.append(input) } else {
                problems.append("input \(index) is computed by \(node.layer!); a model's inputs must be Input(shape:) nodes")
            }
        }
        var slots: [ObjectIdentifier: Int] = [:]
        for (index, input) in declared.enumerated() where slots.updateValue(index, forKey: ObjectIdentifier(input)) != nil {
            problems.append("input \(index) is listed twice among the model's inputs")
        }
        var layers: [any Layer] = []
        var layerNumbers: [ObjectIdentifier: Int] = [:]
        var callCounts: [Int: Int] = [:]
        var calls: [Call] = []
        var undeclared = Set<ObjectIdentifier>()

        // Depth-first, inputs before the node that uses them; an explicit stack, so a deep
        // chain cannot overflow the call stack.
        func visit(_ root: Node) {
            var stack: [(node: Node, expanded: Bool)] = [(root, false)]
            while let (node, expanded) = stack.popLast() {
                let key = ObjectIdentifier(node)
                if slots[key] != nil { continue }
                if let input = node as? Input {
                    if undeclared.insert(key).inserted {
                        problems.append(
                            "an output depends on an Input of shape \(input.shape) that is not among the model's inputs; "
                                + "add it to inputs: or build the output from the declared inputs")
                    }
                    continue
                }
                if !expanded {
                    stack.append((node, true))
                    for input in node.inputs.reversed() where slots[ObjectIdentifier(input)] == nil {
                        stack.append((input, false))
                    }
                    continue
                }
                guard node.inputs.allSatisfy({ slots[ObjectIdentifier($0)] != nil }) else { continue }
                let layer = node.layer!
                let number = layerNumbers[ObjectIdentifier(layer)] ?? {
                    layers.append(layer)
                    layerNumbers[ObjectIdentifier(layer)] = layers.count - 1
                    return layers.count - 1
                }()
                let count = callCounts[number, default: 0]
                callCounts[number] = count + 1
                calls.append(Call(
                    layer: number, inputSlots: node.inputs.map { slots[ObjectIdentifier($0)]! },
                    label: count == 0 ? "\(number)" : "\(number)[\(count)]"))
                slots[key] = declared.count + calls.count - 1
            }
        }
        outputs.forEach(visit)
        if outputs.isEmpty { problems.append("a model needs at least one output") }
        if declared.isEmpty { problems.append("a model needs at least one input") }

        self.inputs = declared
        self.layers = layers
        self.calls = calls
        self.outputSlots = outputs.map { slots[ObjectIdentifier($0)] ?? -1 }
        self.problem = problems.isEmpty ? nil : .invalidArgument("Model: " + problems.joined(separator: "; "))
    }

    /// The label of the node in `slot`: `"input 0"`, or its call's label (`"3"`, `"3[1]"`).
    public func label(of slot: Int) -> String {
        slot < inputs.count ? "input \(slot)" : calls[slot - inputs.count].label
    }

    /// `"input 0, 2"`: the labels of `slots`.
    func describe(_ slots: [Int]) -> String { slots.map(label(of:)).joined(separator: ", ") }
}
