/// An activation as a layer of its own: `net.add(Activation("tanh"))`. It has no parameters
/// and keeps the shape.
extension Activation: Layer {
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable { input.activated(by: self) }
}
