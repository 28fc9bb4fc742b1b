import Foundation

/// Stops the program with `message` when `condition` is false: the check for programmer errors
/// inside the library (a `Tensor` reshaped to the wrong size, an index outside a shape), where a
/// thrown error would burden every caller. The standard library's own checks of this kind drop
/// their message in an optimised build (it prints only "Illegal instruction"); `fatalError`
/// keeps the message in every build, so the reason is always printed. Data, files, arguments and model definitions a user
/// supplies get a thrown `NeuralNetError` instead.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}

/// Ends the program with `error` on standard error and exit status 1: what the non-throwing
/// conveniences (`predict`, `generate`) do when a user's data does not fit, so that the end is
/// a clean error with the reason (and the name of the throwing twin to use instead), not a
/// crash. Programmer errors inside the library stop with `check` instead.
func exitWithError(_ error: any Error, in function: String, throwingTwin: String) -> Never {
    FileHandle.standardError.write(Data("Error: \(function): \(error)\n(use \(throwingTwin) to catch this error)\n".utf8))
    exit(1)
}
