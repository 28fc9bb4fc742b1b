import Testing
@testable import NeuralNetKernels

/// A recurrent layer's moves between its whole-sequence matrices `[rows, steps · width]` and
/// one step's dense block `[rows, width]`, against plain indexing, with the next step's
/// columns asked for in either direction or not at all (which must change nothing), on one
/// thread and on two (130 × 32: rows shared between them).
struct RecurrentStepTests {
    static let sizes = [(16, 8), (21, 13), (3, 5), (64, 32), (130, 32)]

    @Test(arguments: sizes)
    func aStepsColumnsAreGatheredWithTheirBias(rows: Int, width: Int) {
        let steps = 3
        let source = (0..<(rows * steps * width)).map { Float($0) * 0.5 }
        let bias = (0..<rows).map { Float($0) * -0.25 }
        for (step, threads) in [(0, 1), (1, 2), (2, 1), (0, 2), (2, 2)] {
            for (withBias, direction) in [(false, 1), (true, -1), (true, 0)] {
                var target = [Float](repeating: .nan, count: rows * width)
                source.withUnsafeBufferPointer { s in
                    bias.withUnsafeBufferPointer { b in
                        target.withUnsafeMutableBufferPointer { t in
                            ComputeThreads.$count.withValue(threads) {
                                RecurrentCells.gatherStep(step, of: s.baseAddress!, steps: steps,
                                                          adding: withBias ? b.baseAddress! : nil, into: t.baseAddress!,
                                                          rows: rows, width: width, direction: direction)
                            }
                        }
                    }
                }
                let expected = (0..<(rows * width)).map { index in
                    let (r, j) = (index / width, index % width)
                    return source[r * steps * width + step * width + j] + (withBias ? bias[r] : 0)
                }
                #expect(target == expected, "rows \(rows), width \(width), step \(step), bias \(withBias), \(threads) threads")
            }
        }
    }

    @Test(arguments: sizes)
    func aStepIsScatteredIntoItsColumns(rows: Int, width: Int) {
        let steps = 3
        let blocks = (0..<steps).map { step in (0..<(rows * width)).map { Float(step * 1000 + $0) } }
        for (order, direction, threads) in [(Array((0..<steps).reversed()), -1, 2), (Array(0..<steps), 1, 1)] {
            var target = [Float](repeating: -1, count: rows * steps * width)
            target.withUnsafeMutableBufferPointer { t in
                for step in order {
                    blocks[step].withUnsafeBufferPointer { s in
                        ComputeThreads.$count.withValue(threads) {
                            RecurrentCells.scatterStep(s.baseAddress!, into: step, of: t.baseAddress!, steps: steps,
                                                       rows: rows, width: width, direction: direction)
                        }
                    }
                }
            }
            let expected = (0..<(rows * steps * width)).map { index in
                let (r, column) = (index / (steps * width), index % (steps * width))
                return blocks[column / width][r * width + column % width]
            }
            #expect(target == expected, "rows \(rows), width \(width), direction \(direction), \(threads) threads")
        }
    }
}
