import Foundation
import Testing
@testable import NeuralNetKernels

/// The library's own tanh (`Elementwise.tanh`, used by the `.tanh` activation): within 0.53 ulp
/// of the exact value (checked over every float when it was written; here on a spread of
/// 200,000 of them and at the edges), odd, and exact where tanh is.
struct TanhTests {
    /// |got - exact| in units of the last place of the float nearest the exact value.
    static func ulps(_ got: Float, _ exact: Double) -> Double {
        let nearest = Float(exact)
        let unit = Double(nearest.magnitude.nextUp - nearest.magnitude)
        return abs(Double(got) - exact) / unit
    }

    @Test func isWithinHalfAnUlpAndALittleAcrossTheRange() {
        var worst = 0.0, worstAt: Float = 0
        // Every 10,700th float from the smallest subnormal to 9.5: all exponents, and the clamp.
        var bits: UInt32 = 1
        while bits < Float(9.5).bitPattern {
            let x = Float(bitPattern: bits)
            let error = Self.ulps(Elementwise.tanh(x), Foundation.tanh(Double(x)))
            if error > worst { (worst, worstAt) = (error, x) }
            #expect(Elementwise.tanh(-x) == -Elementwise.tanh(x))
            bits += 10_700
        }
        #expect(worst <= 0.53, "worst \(worst) ulp at \(worstAt)")
        #expect(worst > 0)                                            // not a copy of the C library
    }

    @Test func edgesAreExact() {
        #expect(Elementwise.tanh(0).bitPattern == Float(0).bitPattern)
        #expect(Elementwise.tanh(-0.0).bitPattern == Float(-0.0).bitPattern)
        #expect(Elementwise.tanh(.nan).isNaN)
        #expect(Elementwise.tanh(.infinity) == 1 && Elementwise.tanh(-.infinity) == -1)
        #expect(Elementwise.tanh(9.1) == 1 && Elementwise.tanh(-9.1) == -1 && Elementwise.tanh(1e30) == 1)
        #expect(Elementwise.tanh(9.0) < 1)                            // still below 1 just under the cut
        #expect(Elementwise.tanh(.leastNonzeroMagnitude) == .leastNonzeroMagnitude)
        #expect(Elementwise.tanh(1e-20) == 1e-20)
    }
}
