import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a file so that it appears whole or not at all, and survives a crash of the machine
/// once written: the bytes go to a temporary file beside the destination, which is flushed to
/// disk (`fsync`), renamed over the destination (atomic on POSIX file systems) and its
/// directory flushed. A failure, or a kill before the rename, leaves the previous file as it
/// was; the temporary file is removed on any error this process sees, and the temporary file
/// of a writer that was killed (its process gone) is removed by the next write of the same file.
///
/// Models, checkpoints, `.npy` arrays and `nn`'s reports and charts are all written this way.
public enum AtomicFile {
    /// Writes `data` to `path` atomically and durably; errors name the file and the reason.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        removeAbandonedTemporaries(of: url.lastPathComponent, in: directory)
        let temporary = directory + "/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        func fail(_ reason: String) -> NeuralNetError {
            unlink(temporary)
            return .invalidFile(path: path, reason: "cannot be written: \(reason)")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw fail(String(cString: strerror(errno))) }
        var written = 0
        let failure: String? = data.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += result
            }
            return fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        }
        close(descriptor)
        if let failure { throw fail(failure) }
        guard rename(temporary, path) == 0 else { throw fail(String(cString: strerror(errno))) }
        // The rename itself is durable once the directory is flushed.
        let directoryDescriptor = open(directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Throws unless a file can be written at `path` (or, with `isDirectory`, files inside the
    /// directory `path`, created if missing): its directory exists and is writable, and `path`
    /// is not a directory (or a file). Call it before long work whose result goes there, so
    /// that a typo in a path fails at once rather than after an hour of training.
    public static func checkWritable(_ path: String, isDirectory: Bool = false) throws {
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        func fail(_ reason: String) -> NeuralNetError { .invalidFile(path: path, reason: "cannot be written: \(reason)") }
        if isDirectory {
            if exists {
                guard isFolder.boolValue else { throw fail("it is a file, not a directory") }
                guard access(url.path, W_OK) == 0 else { throw fail("the directory is not writable") }
                return
            }
        } else if exists && isFolder.boolValue {
            throw fail("it is a directory; give a file name")
        } else if exists && access(url.path, W_OK) != 0 && access(url.deletingLastPathComponent().path, W_OK) != 0 {
            throw fail("the file and its directory are not writable")
        }
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw fail("the directory \(parent) does not exist")
        }
        guard access(parent, W_OK) == 0 else { throw fail("the directory \(parent) is not writable") }
    }

    /// Removes `.name.PID.RANDOM.tmp` files in `directory` whose writing process no longer
    /// exists: what a killed write of `name` left behind. A live writer's file is kept.
    static func removeAbandonedTemporaries(of name: String, in directory: String) {
        let prefix = ".\(name)."
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
            let parts = entry.dropFirst(prefix.count).dropLast(4).split(separator: ".")
            guard parts.count == 2, let pid = Int32(parts[0]), UInt32(parts[1]) != nil else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }
}
