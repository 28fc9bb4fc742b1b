import CZlib
import Foundation

/// Gzip decompression through the system zlib.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    static func isCompressed(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: [0x1F, 0x8B])
    }

    /// The decompressed contents of a gzip stream; `path` names the file in errors.
    static func decompress(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        try bytes.withUnsafeBytes { try decompress($0, path: path) }
    }

    /// The decompressed contents of a gzip stream read into `data` (no copy of it is made).
    static func decompress(_ data: Data, path: String) throws -> [UInt8] {
        try data.withUnsafeBytes { try decompress($0, path: path) }
    }

    private static func decompress(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: the largest window, and let zlib detect the gzip header itself.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw NeuralNetError.invalidFile(path: path, reason: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        // Gzip keeps the uncompressed size (mod 2³²) in its last four bytes: a good first guess.
        let trailer = bytes.suffix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        // Deflate expands at most 1032-fold, so a larger claim in the trailer is corrupt.
        output.reserveCapacity(min(max(trailer, bytes.count * 2), bytes.count * 1032))
        let limit = Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(Int.max)))
        guard bytes.count <= Int(UInt32.max) else {
            throw NeuralNetError.invalidFile(path: path, reason: "\(bytes.count) compressed bytes; gzip files of 4 GiB or more are not read, decompress it first")
        }
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var status: Int32 = Z_OK
        try bytes.withMemoryRebound(to: UInt8.self) { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    let reason = status == Z_BUF_ERROR
                        ? "the compressed data ends early (truncated file)"
                        : "the compressed data is corrupt (zlib error \(status))"
                    throw NeuralNetError.invalidFile(path: path, reason: reason)
                }
                output.append(contentsOf: chunk[0..<(chunkSize - Int(stream.avail_out))])
                if output.count > limit {
                    throw NeuralNetError.invalidFile(
                        path: path, reason: "it decompresses to more than \(limit >> 20) MB, half this machine's memory (a corrupt or hostile file?)")
                }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw NeuralNetError.invalidFile(path: path, reason: "the compressed data ends early (truncated file)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
