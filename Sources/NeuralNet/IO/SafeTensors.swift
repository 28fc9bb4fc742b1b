import Foundation

/// The safetensors format: an 8-byte little-endian header length `N`, `N` bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`),
/// then the raw little-endian data. Reading checks every offset and size, so a truncated or
/// corrupt file gives an error naming the file and the problem, never a crash.
public enum SafeTensors {
    /// Writes `tensors` (in order) and string `metadata` to `path` atomically: the file appears
    /// whole or not at all, flushed to disk (see `AtomicFile`).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let size = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + size]] as [String: Any]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // The data section starts on an 8-byte boundary, as the format recommends.
        json.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, tensor) in tensors {
            tensor.scalars.withUnsafeBufferPointer { buffer in
                guard buffer.count > 0 else { return }
                if 1.littleEndian == 1 {
                    data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self), count: buffer.count * 4))
                } else {
                    for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                }
            }
        }
        try AtomicFile.write(data, to: path)
    }

    /// The tensors (in file order) and metadata of the safetensors file at `path`. `F32`, `F64`,
    /// `F16` and `BF16` data, and the integers `I64`, `I32` and `U8` (counters, labels), are read
    /// as `Float`.
    public static func read(from path: String) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NeuralNetError.invalidFile(path: path, reason: "the file cannot be read (missing or not permitted)")
        }
        return try decode([UInt8](data), path: path)
    }

    /// Decodes safetensors bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "safetensors data") throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        func fail(_ reason: String) -> NeuralNetError { .invalidFile(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("only \(bytes.count) bytes: too short for a safetensors header") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        // The format caps headers at 100 MB; a larger claim is corrupt, whatever the file size.
        guard headerLength <= 100_000_000 else { throw fail("the header claims \(headerLength) bytes; safetensors headers are at most 100 MB") }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("the header claims \(headerLength) bytes but the file has \(bytes.count - 8) after the length (truncated or not safetensors)")
        }
        let dataStart = 8 + Int(headerLength)
        try JSONValue.checkNesting(bytes[8..<dataStart], path: path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])), let header = object as? [String: Any] else {
            throw fail("the header is not a JSON object (not a safetensors file?)")
        }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let values = raw as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
            metadata = values
        }
        let dataSize = bytes.count - dataStart
        var entries: [(name: String, begin: Int, tensor: Tensor)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap(wholeNumber),
                  let offsets = (info["data_offsets"] as? [Any])?.compactMap(wholeNumber),
                  offsets.count == 2, shape.count == (info["shape"] as? [Any])?.count
            else { throw fail("tensor '\(name)' lacks a valid dtype, shape or data_offsets") }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw fail("tensor '\(name)': offsets \(offsets) or shape \(shape) fall outside the \(dataSize) data bytes (truncated?)")
            }
            let types: [String: StoredScalar] = [
                "F32": .float32, "F64": .float64, "BF16": .bfloat16, "F16": .float16, "I64": .int64, "I32": .int32, "U8": .uint8,
            ]
            guard let stored = types[dtype] else {
                throw fail("tensor '\(name)' has dtype \(dtype); NeuralNet reads F32, F64, F16, BF16, I64, I32 and U8")
            }
            if let problem = Dimensions.problem(with: shape) { throw fail("tensor '\(name)': \(problem)") }
            guard let size = Dimensions.elementCount(shape, width: stored.width), offsets[1] - offsets[0] == size else {
                let needed = Dimensions.elementCount(shape, width: stored.width).map { "\($0) bytes" } ?? "more bytes than any file holds"
                throw fail("tensor '\(name)': shape \(shape) of \(dtype) needs \(needed), its offsets span \(offsets[1] - offsets[0])")
            }
            let count = size / stored.width
            let scalars = stored.decode(bytes, from: dataStart + offsets[0], count: count)
            entries.append((name, offsets[0], Tensor(shape: shape, scalars: scalars)))
        }
        return (entries.sorted { ($0.begin, $0.name) < ($1.begin, $1.name) }.map { ($0.name, $0.tensor) }, metadata)
    }

    /// A JSON number that is a whole number an `Int` holds, or nil (a fraction, 1e300, text).
    private static func wholeNumber(_ value: Any) -> Int? {
        if let value = value as? Int { return value }
        if let value = value as? Double, value.rounded() == value, abs(value) < 0x1p62 { return Int(value) }
        return nil
    }

    /// The `Float` of an IEEE half-precision bit pattern (written out, because `Float16` is
    /// missing on some platforms Swift supports): subnormals, infinities and NaN included.
    static func float(half bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let fraction = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: fraction · 2⁻²⁴, exact in Float.
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | fraction << 13)
        }
    }
}
