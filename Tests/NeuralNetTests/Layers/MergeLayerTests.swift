import Testing
@testable import NeuralNet

struct MergeLayerTests {
    let a = randomTensor([2, 3], seed: 1)
    let b = randomTensor([2, 3], seed: 2)
    let c = randomTensor([2, 3], seed: 3)

    @Test func valuesAreElementwise() throws {
        #expect(try Add()([a, b, c]) == a + b + c)
        #expect(try Subtract()([a, b]) == a - b)
        #expect(try Multiply()([a, b]) == a * b)
        #expect(isClose(try Average()([a, b]), (a + b) * 0.5))
        let joined = try Concatenate(axis: -1)([a, randomTensor([2, 2])])
        #expect(joined.shape == [2, 5])
        #expect(joined[1, 2] == a[1, 2])
    }

    @Test(arguments: [0, 1, 2, 3])
    func elementwiseMergesMatchFiniteDifferences(which: Int) throws {
        let layer: any MergeLayer = [Add(), Subtract(), Multiply(), Average()][which]
        let inputs = which == 1 ? [a, b] : [a, b, c]
        expectGradientsMatch(inputs) { (try? layer.forward($0, mode: .training))! }
    }

    @Test(arguments: [1, 2, 3, -1, -2])
    func concatenationMatchesFiniteDifferences(axis: Int) throws {
        let shapes: [[Int]] = switch axis {
        case 1, -3: [[2, 2, 3, 2], [2, 1, 3, 2]]
        case 2, -2: [[2, 2, 3, 2], [2, 2, 1, 2]]
        default: [[2, 2, 3, 2], [2, 2, 3, 1]]
        }
        let inputs = shapes.enumerated().map { randomTensor($1, seed: UInt64($0 + 5)) }
        let layer = Concatenate(axis: axis)
        expectGradientsMatch(inputs) { (try? layer.forward($0, mode: .training))! }
        // Splitting the joined tensor gives the pieces back.
        let joined = Tensor.concatenated(inputs, alongAxis: axis)
        let resolved = axis < 0 ? axis + 4 : axis
        #expect(joined.split(sizes: shapes.map { $0[resolved] }, alongAxis: axis) == inputs)
    }

    @Test func mismatchedShapesAreExplained() throws {
        var generator = SeededGenerator(seed: 0)
        #expect(throws: NeuralNetError.self) { try Add().build(inputShapes: [[3], [4]], generator: &generator) }
        #expect(throws: NeuralNetError.self) { try Subtract().build(inputShapes: [[3], [3], [3]], generator: &generator) }
        // Axes count the batch as 0: axis 2 is the second axis of a sample.
        #expect(throws: NeuralNetError.self) { try Concatenate(axis: 2).build(inputShapes: [[3, 2], [4, 2]], generator: &generator) }
        #expect(throws: NeuralNetError.self) { try Concatenate(axis: 3).build(inputShapes: [[3, 2]], generator: &generator) }
        #expect(try Concatenate(axis: 2).build(inputShapes: [[2, 3], [2, 4]], generator: &generator) == [2, 7])
        #expect(try Concatenate(axis: 1).build(inputShapes: [[3, 2], [4, 2]], generator: &generator) == [7, 2])
    }
}
