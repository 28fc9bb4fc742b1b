import Foundation

/// The IDX format of MNIST, Fashion-MNIST and EMNIST: a 4-byte magic number (two zero bytes, a
/// type code, the number of dimensions), each dimension as a big-endian 32-bit integer, then the
/// values in row-major order. Files may be gzip-compressed.
public enum IDX {
    /// The contents of the IDX file at `path`, as a tensor of its values (bytes keep their
    /// 0...255 range). Throws `NeuralNetError.invalidFile` naming the file and what is wrong.
    public static func read(contentsOf path: String) throws -> Tensor {
        try decode(try contents(of: path), path: path)
    }

    /// The contents of an IDX file of unsigned bytes (images, labels) at `path`: its shape and
    /// its bytes, as stored, without converting them to `Float`.
    public static func readBytes(contentsOf path: String) throws -> (shape: [Int], bytes: [UInt8]) {
        var bytes = try contents(of: path)
        let (type, shape, headerSize) = try header(of: bytes, path: path)
        guard type == .unsignedByte else {
            throw NeuralNetError.invalidFile(path: path, reason: "holds \(type) values, not unsigned bytes; read it with IDX.read")
        }
        bytes.removeSubrange(0..<headerSize)        // in place: no second copy of a large file
        return (shape, bytes)
    }

    /// Decodes IDX bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "IDX data") throws -> Tensor {
        let (type, shape, headerSize) = try header(of: bytes, path: path)
        let count = (bytes.count - headerSize) / type.size
        var scalars = [Float](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { raw in
            let body = raw.baseAddress! + headerSize
            if type == .unsignedByte {
                for i in 0..<count { scalars[i] = Float(body[i]) }
            } else {
                for i in 0..<count { scalars[i] = type.value(at: body + i * type.size) }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The file's bytes, decompressed if it is gzip.
    private static func contents(of path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NeuralNetError.invalidFile(path: path, reason: "the file cannot be read (missing or not permitted)")
        }
        return Gzip.isCompressed(data) ? try Gzip.decompress(data, path: path) : [UInt8](data)
    }

    /// The element type, shape and header size of IDX `bytes`, checked against their count:
    /// the body holds exactly the values the header declares.
    private static func header(of bytes: [UInt8], path: String) throws -> (ElementType, [Int], Int) {
        guard bytes.count >= 4 else {
            throw NeuralNetError.invalidFile(path: path, reason: "only \(bytes.count) bytes: too short for an IDX header")
        }
        guard bytes[0] == 0, bytes[1] == 0, let type = ElementType(rawValue: bytes[2]) else {
            let magic = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw NeuralNetError.invalidFile(
                path: path, reason: "bad magic number \(magic); an IDX file starts with 00 00, a type code (08 to 0e) and a rank")
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard rank > 0, bytes.count >= headerSize else {
            throw NeuralNetError.invalidFile(path: path, reason: "the header declares \(rank) dimensions but the file has \(bytes.count) bytes")
        }
        let shape = (0..<rank).map { bigEndianInt(bytes, at: 4 + 4 * $0) }
        if let problem = Dimensions.problem(with: shape) { throw NeuralNetError.invalidFile(path: path, reason: problem) }
        // Checked: a hostile header may declare sizes whose product passes Int.max.
        let bodySize = Dimensions.elementCount(shape, width: type.size)
        guard let bodySize, bytes.count - headerSize == bodySize else {
            let needed = bodySize.map { "\(headerSize + $0) bytes" } ?? "more bytes than any file holds"
            throw NeuralNetError.invalidFile(
                path: path,
                reason: "size mismatch: shape \(shape) of \(type) needs \(needed), the file has \(bytes.count)"
                    + (bodySize.map { bytes.count - headerSize < $0 } ?? true ? " (truncated or corrupt?)" : ""))
        }
        return (type, shape, headerSize)
    }

    private static func bigEndianInt(_ bytes: [UInt8], at offset: Int) -> Int {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
    }

    /// The element types of the format, by their type code.
    enum ElementType: UInt8, CustomStringConvertible {
        case unsignedByte = 0x08, signedByte = 0x09, short = 0x0B, int = 0x0C, float = 0x0D, double = 0x0E

        var size: Int { [1, 1, 2, 4, 4, 8][[0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E].firstIndex(of: rawValue)!] }

        var description: String {
            let name = switch self {
            case .unsignedByte: "unsigned byte"
            case .signedByte: "signed byte"
            case .short: "short"
            case .int: "int"
            case .float: "float"
            case .double: "double"
            }
            return "\(name) (0x\(String(rawValue, radix: 16)))"
        }

        /// The big-endian value at `pointer`, as a Float.
        func value(at pointer: UnsafePointer<UInt8>) -> Float {
            func bits(_ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 << 8 | UInt64(pointer[$1]) } }
            switch self {
            case .unsignedByte: return Float(pointer[0])
            case .signedByte: return Float(Int8(bitPattern: pointer[0]))
            case .short: return Float(Int16(bitPattern: UInt16(bits(2))))
            case .int: return Float(Int32(bitPattern: UInt32(bits(4))))
            case .float: return Float(bitPattern: UInt32(bits(4)))
            case .double: return Float(Double(bitPattern: bits(8)))
            }
        }
    }
}
