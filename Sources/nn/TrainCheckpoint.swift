import ArgumentParser
import Foundation
import NeuralNet

/// `nn train --checkpoint DIR [--resume]`: checkpoints every epoch into DIR, with the options
/// of the run in `DIR/options.json`, so that `--resume` can refuse a run whose options differ.
struct TrainCheckpoint {
    let directory: URL
    let resume: Bool
    /// The options that must match for a resume, as text by name.
    let options: [String: String]

    private var optionsFile: URL { directory.appendingPathComponent("options.json") }

    /// Checks the directory against `resume`: a new run needs a directory without checkpoints,
    /// a resumed one the same options as the run that wrote them.
    func prepare() throws {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
            .filter { $0.hasPrefix("checkpoint-") } ?? []
        guard resume else {
            if !existing.isEmpty {
                throw ValidationError(
                    "\(directory.path) already holds checkpoints; add --resume to continue that run, or choose another directory")
            }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let data = try JSONSerialization.data(withJSONObject: options, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write(data, to: optionsFile.path)
            return
        }
        guard let data = FileManager.default.contents(atPath: optionsFile.path),
              let saved = try? JSONSerialization.jsonObject(with: data) as? [String: String] else {
            if existing.isEmpty { return try TrainCheckpoint(directory: directory, resume: false, options: options).prepare() }
            throw ValidationError("\(optionsFile.path) is missing or unreadable, so the run cannot be checked before resuming")
        }
        for key in Set(saved.keys).union(options.keys).sorted() where saved[key] != options[key] {
            throw ValidationError(
                "--resume: --\(key) is \(options[key] ?? "unset") but the checkpointed run used \(saved[key] ?? "unset"); "
                    + "resume with the same options")
        }
    }

    /// The callback that writes the checkpoints.
    var callback: ModelCheckpoint { ModelCheckpoint(directory: directory) }
}
