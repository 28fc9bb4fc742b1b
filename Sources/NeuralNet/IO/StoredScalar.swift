/// The element types that files store and NeuralNet reads as `Float`, each little-endian:
/// shared by the safetensors and `.npy` readers, which only name them differently.
enum StoredScalar {
    case float32, float64, float16, bfloat16, int64, int32, uint8

    /// The bytes one element takes.
    var width: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        case .uint8: 1
        }
    }

    /// `count` elements stored from `start` in `bytes`, as floats. The caller has checked
    /// that `start + count · width` is within `bytes`.
    func decode(_ bytes: [UInt8], from start: Int, count: Int) -> [Float] {
        var scalars = [Float](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { bytes in
            let width = self.width
            for i in 0..<count {
                let at = start + i * width
                var bits: UInt64 = 0
                for byte in 0..<width { bits |= UInt64(bytes[at + byte]) << (8 * UInt64(byte)) }
                scalars[i] = switch self {
                case .float32: Float(bitPattern: UInt32(bits))
                case .float64: Float(Double(bitPattern: bits))
                case .float16: SafeTensors.float(half: UInt16(bits))
                case .bfloat16: Float(bitPattern: UInt32(bits) << 16)
                case .int64: Float(Int64(bitPattern: bits))
                case .int32: Float(Int32(bitPattern: UInt32(bits)))
                case .uint8: Float(bits)
                }
            }
        }
        return scalars
    }
}

/// A count read from a file (`value`, stored as a Double): a whole number in 0...2⁵³, or an
/// error naming it. Files are not trusted to hold numbers an `Int` conversion accepts.
func storedCount(_ value: Double, _ name: String) throws -> Int {
    guard value.isFinite, value >= 0, value <= 0x1p53, value.rounded() == value else {
        throw NeuralNetError.invalidArgument("\(name) is \(value), not a count (a whole number from 0 to 2^53)")
    }
    return Int(value)
}
