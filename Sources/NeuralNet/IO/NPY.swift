import Foundation

/// NumPy's `.npy` format, so that arrays move between NumPy and Swift without code: a magic
/// string `\x93NUMPY`, a version, a header length, a Python dict literal
/// (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`) padded to a multiple of 64
/// bytes, then the data. Read: little-endian `float32`, `float64`, `uint8`, `int32` and `int64`
/// in C order (versions 1 to 3). Written: `float32`, version 1.0.
///
/// ```swift
/// let images = try Tensor(npy: URL(fileURLWithPath: "x.npy"))     // np.save("x.npy", x)
/// try predictions.write(npy: URL(fileURLWithPath: "p.npy"))       // np.load("p.npy")
/// ```
extension Tensor {
    /// The array in the `.npy` file at `url`; errors name the file and what is wrong with it.
    public init(npy url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw NeuralNetError.invalidFile(path: url.path, reason: "the file cannot be read (missing or not permitted)")
        }
        self = try NPY.decode([UInt8](data), path: url.path)
    }

    /// The array in `.npy` bytes (as read from a file or a network); `source` names them in
    /// errors.
    public init(npy data: Data, source: String = ".npy data") throws {
        self = try NPY.decode([UInt8](data), path: source)
    }

    /// This tensor as the bytes of a `float32` `.npy` file.
    public var npyData: Data { Data(NPY.encode(self)) }

    /// Writes this tensor to `url` as a `float32` `.npy` file (atomically).
    public func write(npy url: URL) throws {
        try AtomicFile.write(npyData, to: url.path)
    }
}

enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    static func encode(_ tensor: Tensor) -> [UInt8] {
        let shape = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.rank == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
        // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes = magic + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for value in tensor.scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> Tensor {
        func fail(_ reason: String) -> NeuralNetError { .invalidFile(path: path, reason: reason) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard (1...3).contains(major), bytes.count >= 8 + lengthBytes else { throw fail("unknown .npy version \(major).\(bytes[7])") }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let dataStart = 8 + lengthBytes + headerLength
        guard dataStart <= bytes.count else { throw fail("the header claims \(headerLength) bytes; the file is shorter (truncated?)") }
        let header = String(decoding: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self)
        guard let descr = value(of: "descr", in: header), let fortran = value(of: "fortran_order", in: header),
              let shapeText = value(of: "shape", in: header) else {
            throw fail("the header lacks descr, fortran_order or shape: \(header.prefix(120))")
        }
        guard fortran == "False" else { throw fail("the array is in Fortran order; save it with np.ascontiguousarray") }
        let dimensions = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = dimensions.compactMap { Int($0) }
        guard shape.count == dimensions.count, shape.allSatisfy({ $0 >= 0 }), shape.count <= 6 else {
            throw fail("shape \(shapeText) is not up to six sizes ≥ 0")
        }
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        let types: [String: StoredScalar] = ["<f4": .float32, "<f8": .float64, "|u1": .uint8, "<u1": .uint8, "<i4": .int32, "<i8": .int64]
        guard let stored = types[type] else {
            throw fail("dtype \(type) is not read; NeuralNet reads little-endian float32, float64, uint8, int32 and int64")
        }
        if let problem = Dimensions.problem(with: shape) { throw fail(problem) }
        let count = Dimensions.elementCount(shape) ?? 0
        let (size, overflow) = count.multipliedReportingOverflow(by: stored.width)
        guard !overflow, bytes.count - dataStart == size else {
            throw fail("shape \(shape) of \(type) needs \(overflow ? "too many" : "\(size)") data bytes, the file has \(bytes.count - dataStart)")
        }
        let scalars = stored.decode(bytes, from: dataStart, count: count)
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The text of `key`'s value in a Python dict literal: up to the next top-level comma.
    private static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\""),
              let colon = header[keyRange.upperBound...].firstIndex(of: ":") else { return nil }
        var depth = 0
        var result = ""
        for character in header[header.index(after: colon)...] {
            if character == "(" || character == "[" { depth += 1 }
            if character == ")" || character == "]" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            result.append(character)
        }
        return result.trimmingCharacters(in: .whitespaces)
    }
}
