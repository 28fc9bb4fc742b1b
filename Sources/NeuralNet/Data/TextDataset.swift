import Foundation

/// A text for a character-level language model: its vocabulary, the text as ids, and windows of
/// `context` characters, each paired with the characters that follow (the input shifted by one):
/// input `ids[s ..< s + context]`, labels `ids[s + 1 ..< s + context + 1]`, so a model
/// `[batch, context] → [batch, context, vocabulary]` learns the next character at every position
/// with `.sparseSoftmaxCrossEntropy`.
///
/// Windows start every `stride` characters (by default a sixteenth of the context, so windows
/// overlap and an epoch sees each character at sixteen positions), after an offset drawn from
/// `seed` within the first stride. `split(0.9)` cuts the text itself, so held-out windows never
/// overlap training ones; held-out windows follow each other without overlap (stride =
/// context), so every held-out character is scored once.
///
/// ```swift
/// let text = try TextDataset.shakespeare(context: 128)
/// let (train, heldOut) = text.split(0.9)
/// ```
public struct TextDataset: Sendable {
    /// The characters of the text, numbered.
    public let vocabulary: Vocabulary
    /// The whole text as ids.
    public let ids: [Int]
    /// The length of each window.
    public let context: Int
    /// The distance between the starts of consecutive windows.
    public let stride: Int
    /// Where the first window starts.
    public let offset: Int

    /// Windows of `text` with its own vocabulary (or `vocabulary`, which must contain every
    /// character of the text).
    public init(text: String, context: Int, stride: Int? = nil, seed: UInt64 = 0, vocabulary: Vocabulary? = nil) throws {
        guard context > 0 else { throw NeuralNetError.invalidArgument("TextDataset: context must be positive, got \(context)") }
        let stride = stride ?? Swift.max(context / 16, 1)
        guard stride > 0 else { throw NeuralNetError.invalidArgument("TextDataset: stride must be positive, got \(stride)") }
        let vocabulary = vocabulary ?? Vocabulary(text: text)
        let ids = try vocabulary.encode(text)
        guard ids.count > context else {
            throw NeuralNetError.invalidData(
                "TextDataset: the text has \(ids.count) characters, but one window needs \(context + 1) (context \(context) and the "
                    + "next character); give a longer text or a shorter context")
        }
        var generator = SeededGenerator(seed: seed)
        self.vocabulary = vocabulary
        self.ids = ids
        self.context = context
        self.stride = stride
        self.offset = Int(generator.next() % UInt64(Swift.min(stride, ids.count - context)))
    }

    /// The text of the UTF-8 file at `url`.
    public init(contentsOf url: URL, context: Int, stride: Int? = nil, seed: UInt64 = 0) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NeuralNetError.invalidData("TextDataset: cannot read \(url.path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NeuralNetError.invalidData("TextDataset: \(url.path) is not UTF-8 text")
        }
        guard !text.isEmpty else { throw NeuralNetError.invalidData("TextDataset: \(url.path) is empty") }
        try self.init(text: text, context: context, stride: stride, seed: seed)
    }

    /// Eight of Shakespeare's plays (about one million characters, public domain; see
    /// `Resources/Shakespeare/PROVENANCE.md`), shipped with the library.
    public static func shakespeare(context: Int, stride: Int? = nil, seed: UInt64 = 0) throws -> TextDataset {
        guard let url = Bundle.module.url(forResource: "shakespeare.txt", withExtension: "gz", subdirectory: "Shakespeare") else {
            throw NeuralNetError.invalidData("TextDataset: the embedded Shakespeare corpus is missing from the library's resources")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        let text = String(decoding: try Gzip.decompress(bytes, path: url.path), as: UTF8.self)
        return try TextDataset(text: text, context: context, stride: stride, seed: seed)
    }

    /// The number of windows.
    public var count: Int { windowStarts(in: 0..<ids.count).reduce(0) { count, _ in count + 1 } }

    /// Every window: inputs `[count, context]`, labels `[count, context]`.
    public var dataset: Dataset { windows(in: 0..<ids.count) }

    /// The windows of the first `fraction` of the text and those of the rest:
    /// `split(0.9)` for training and held-out text. A fraction outside `(0, 1)` gives datasets
    /// carrying the `problem`, which `fit` and `evaluate` throw.
    public func split(_ fraction: Double) -> (train: Dataset, heldOut: Dataset) {
        guard fraction > 0 && fraction < 1 else {
            var (train, heldOut) = (dataset, dataset[0..<0])
            train.problem = "TextDataset.split(\(fraction)): the fraction must be in (0, 1); split(0.9) trains on 90% of the text"
            heldOut.problem = train.problem
            return (train, heldOut)
        }
        let cut = Int(Double(ids.count) * fraction)
        return (windows(in: 0..<cut), windows(in: cut..<ids.count, stride: context))
    }

    private func windowStarts(in range: Range<Int>, stride: Int? = nil) -> StrideTo<Int> {
        let first = range.lowerBound == 0 ? offset : range.lowerBound
        return Swift.stride(from: first, to: range.upperBound - context, by: stride ?? self.stride)
    }

    private func windows(in range: Range<Int>, stride: Int? = nil) -> Dataset {
        let starts = Array(windowStarts(in: range, stride: stride))
        var inputs = [Float](), labels = [Float]()
        inputs.reserveCapacity(starts.count * context)
        labels.reserveCapacity(starts.count * context)
        for start in starts {
            for position in start..<(start + context) {
                inputs.append(Float(ids[position]))
                labels.append(Float(ids[position + 1]))
            }
        }
        // Equal counts by construction; an empty part (a tiny text) gives zero windows, which
        // `fit` and `evaluate` then report as empty data.
        do {
            return try Dataset(inputs: Tensor(shape: [starts.count, context], scalars: inputs),
                               labels: Tensor(shape: [starts.count, context], scalars: labels))
        } catch {
            fatalError("TextDataset: \(starts.count) windows of \(context) gave no dataset: \(error)")
        }
    }
}
