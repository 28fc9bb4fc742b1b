import Testing
@testable import NeuralNet

struct TensorTests {
    @Test func nestedLiteralsGiveShapeAndRowMajorScalars() {
        let x = Tensor([[0, 1, 2], [3, 4, 5]])
        #expect(x.shape == [2, 3])
        #expect(x.scalars == [0, 1, 2, 3, 4, 5])
        #expect(x[1, 0] == 3)
        #expect(Tensor([[[1, 2]], [[3, 4]]]).shape == [2, 1, 2])
        #expect(Tensor([1, 2, 3]).shape == [3])
        #expect(Tensor(5).shape == [])
    }

    @Test func shapesUpToSixDimensionsRoundTrip() {
        let six = Tensor(repeating: 1, shape: [1, 2, 1, 3, 1, 2])
        #expect(six.shape == [1, 2, 1, 3, 1, 2] && six.rank == 6 && six.count == 12)
        #expect(Tensor(2).shape == [] && Tensor(2).rank == 0)
        #expect(Tensor.zeros([0, 5]).shape == [0, 5] && Tensor.zeros([0, 5]).count == 0)
        // Same scalars, different shapes: not equal, whatever the rank.
        #expect(Tensor(shape: [2], scalars: [1, 2]) != Tensor(shape: [2, 1], scalars: [1, 2]))
        #expect(Tensor(shape: [2, 1], scalars: [1, 2]) != Tensor(shape: [1, 2], scalars: [1, 2]))
        #expect(six.reshaped(to: [3, -1]).shape == [3, 4])
    }

    @Test func reshapeInfersOneDimension() {
        let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        #expect(x.reshaped(to: [6, -1]).shape == [6, 4])
        var y = x
        y.reshape(to: [24])
        #expect(y.scalars == x.scalars)
    }

    @Test func copiesAreIndependent() {
        let x = Tensor([1, 2, 3])
        var y = x
        y[0] = 10
        #expect(x.scalars == [1, 2, 3])
        #expect(y.scalars == [10, 2, 3])
    }

    @Test func broadcastsRowVectorsOverABatch() {
        let x = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect((x + Tensor([10, 20])).scalars == [11, 22, 13, 24, 15, 26])
        #expect((Tensor([10, 20]) - x).scalars == [9, 18, 7, 16, 5, 14])
        #expect((x * Tensor([[2], [0], [1]])).scalars == [2, 4, 0, 0, 5, 6])
        #expect((x / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
    }

    @Test func broadcastsBothOperands() {
        let column = Tensor([[1], [2]])          // [2, 1]
        let row = Tensor([10, 20, 30])           // [3]
        let sum = column + row
        #expect(sum.shape == [2, 3])
        #expect(sum.scalars == [11, 21, 31, 12, 22, 32])
        #expect(Tensor.broadcastShape([2, 1, 3], [4, 1]) == [2, 4, 3])
        #expect(Tensor.broadcastShape([2, 3], [4]) == nil)
    }

    @Test func reducingUndoesBroadcasting() {
        let upstream = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(upstream.reduced(toShape: [3]).scalars == [5, 7, 9])
        #expect(upstream.reduced(toShape: [2, 1]).scalars == [6, 15])
        #expect(upstream.reduced(toShape: [1, 3]).scalars == [5, 7, 9])
        #expect(upstream.reduced(toShape: []).scalars == [21])
    }

    @Test func sumsAndMeansAlongAxes() {
        let x = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        #expect(x.sum() == 66)
        #expect(x.sum(alongAxis: 1).shape == [2, 2])
        #expect(x.sum(alongAxis: 1).scalars == [6, 9, 24, 27])
        #expect(x.sum(alongAxis: -1, keepingDimension: true).shape == [2, 3, 1])
        #expect(x.mean(alongAxis: 0).scalars == [3, 4, 5, 6, 7, 8])
        #expect(x.max(alongAxis: 1).scalars == [4, 5, 10, 11])
    }

    @Test func argmaxTakesTheFirstOfTies() {
        let x = Tensor([[0.1, 0.7, 0.2], [5, 5, 1], [-3, -2, -1]])
        #expect(x.argmax() == [1, 0, 2])
        #expect(x.argmax(alongAxis: 0) == [1, 1, 1])
    }

    @Test func matmulOfSmallMatrices() {
        let a = Tensor([[1, 2], [3, 4], [5, 6]])
        let b = Tensor([[1, 0, 2], [0, 1, 3]])
        #expect(a.matmul(b) == Tensor([[1, 2, 8], [3, 4, 18], [5, 6, 28]]))
        #expect(a.matmul(a, transposeSelf: true) == Tensor([[35, 44], [44, 56]]))
        #expect(a.matmul(a, transposeOther: true) == a.matmul(a.transposed()))
    }

    @Test func softmaxRowsSumToOneEvenForHugeLogits() {
        let x = Tensor([[1000, 1001, 1002], [-5, 0, 5]])
        let p = x.softmax()
        for row in 0..<2 { #expect(abs(p[row, 0] + p[row, 1] + p[row, 2] - 1) < 1e-6) }
        #expect(p.scalars.allSatisfy { $0.isFinite })
        #expect(abs(p[0, 2] - 0.66524) < 1e-4)
    }

    @Test func gatheringRowsPicksSamples() {
        let x = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect(x.gatheringRows([2, 0]) == Tensor([[5, 6], [1, 2]]))
    }

    @Test func printsRowsAndColumns() {
        #expect(Tensor([[0, 1], [1, 0]]).description == "[[0.0, 1.0],\n [1.0, 0.0]]")
        #expect(Tensor([[0.5], [-0.25]]).description == "[[ 0.5000],\n [-0.2500]]")
        #expect(Tensor(3).description == "3.0")
        let big = Tensor.zeros([2000]).description
        #expect(big.contains("..."))
        #expect(big.count < 100)
    }

    @Test func seededRandomnessIsReproducible() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let x = Tensor(randomNormal: [100], using: &a)
        #expect(x == Tensor(randomNormal: [100], using: &b))
        #expect(x != Tensor(randomNormal: [100], using: &c))
        let mean = x.mean()
        #expect(abs(mean) < 0.3)
        let uniform = Tensor(randomUniform: [1000], in: -2..<3, using: &a)
        #expect(uniform.scalars.allSatisfy { $0 >= -2 && $0 < 3 })
    }
}
