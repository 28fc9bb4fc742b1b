import Foundation
import Testing
@testable import NeuralNet

/// Vocabularies, text windows, the embedded corpus and generation.
struct TextDatasetTests {
    @Test func vocabularyEncodesDecodesAndNamesUnknownCharacters() throws {
        let vocabulary = Vocabulary(text: "hello, world\n")
        #expect(vocabulary.string == "\n ,dehlorw")
        let ids = try vocabulary.encode("hold")
        #expect(vocabulary.decode(ids) == "hold")
        do {
            _ = try vocabulary.encode("hex")
            Issue.record("x was encoded")
        } catch {
            #expect("\(error)".contains("\"x\"") && "\(error)".contains("U+78"))
        }
        #expect(throws: NeuralNetError.self) { try Vocabulary(symbols: "abca") }
        let data = try JSONEncoder().encode(vocabulary)
        #expect(try JSONDecoder().decode(Vocabulary.self, from: data) == vocabulary)
        #expect(Vocabulary(text: "e\u{301}\r\n").count == 4)      // scalars, not grapheme clusters
    }

    @Test func windowsPairEachCharacterWithTheNextAndSplitsDoNotOverlap() throws {
        let text = try TextDataset(text: "abcdefghijklmnopqrstuvwxyz", context: 4, stride: 2)
        let all = text.dataset
        #expect(all.inputs.shape == [11, 4] && all.labels.shape == [11, 4])
        let first = text.vocabulary.decode(all.inputs.scalars[0..<4].map { Int($0) })
        let next = text.vocabulary.decode(all.labels.scalars[0..<4].map { Int($0) })
        #expect(next.dropLast() == first.dropFirst())
        #expect(text.count == 11)
        let (train, heldOut) = text.split(0.5)
        let trainText = (0..<train.count).map { text.vocabulary.decode(train.labels[$0..<($0 + 1)].scalars.map { Int($0) }) }.joined()
        let heldOutText = (0..<heldOut.count).map { text.vocabulary.decode(heldOut.inputs[$0..<($0 + 1)].scalars.map { Int($0) }) }.joined()
        #expect(Set(trainText).isDisjoint(with: Set(heldOutText)))
        #expect(train.count > 0 && heldOut.count > 0)
    }

    @Test func badTextsAreExplained() throws {
        #expect(throws: NeuralNetError.self) { try TextDataset(text: "abc", context: 3) }
        #expect(throws: NeuralNetError.self) { try TextDataset(text: "abcdef", context: 0) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID()).txt")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try TextDataset(contentsOf: file, context: 8)
            Issue.record("an empty file was accepted")
        } catch {
            #expect("\(error)".contains("is empty"))
        }
    }

    @Test func theEmbeddedCorpusIsShakespeare() throws {
        let text = try TextDataset.shakespeare(context: 128)
        #expect(text.ids.count == 1_036_496)
        #expect(text.vocabulary.count == 76)
        #expect(text.vocabulary.decode(text.ids.prefix(24)) == "HAMLET, PRINCE OF DENMAR")
        let (train, heldOut) = text.split(0.9)
        #expect(train.inputs.shape.dropFirst() == [128] && heldOut.count == 809)
    }

    /// A tiny LSTM language model learns a repeating text and writes it back.
    @Test func aSmallLanguageModelLearnsAndGeneratesDeterministically() throws {
        let text = try TextDataset(text: String(repeating: "abcd", count: 40), context: 8, stride: 1)
        let model = Sequential(inputShape: [8], loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 0.03), seed: 1) {
            Embedding(vocabularySize: text.vocabulary.count, dimensions: 4)
            LSTM(units: 12, returnSequences: true)
            Dense(text.vocabulary.count)
        }
        try model.fit(text.dataset, epochs: 8, batchSize: 16, seed: 1, progress: .silent)
        #expect(try model.evaluate(text.dataset)["loss"]! < 0.1)
        #expect(model.generate(prompt: "ab", vocabulary: text.vocabulary, length: 10, temperature: 0) == "abcdabcdabcd")
        let sampled = model.generate(prompt: "c", vocabulary: text.vocabulary, length: 20, temperature: 1.5, topK: 2, seed: 4)
        #expect(sampled == model.generate(prompt: "c", vocabulary: text.vocabulary, length: 20, temperature: 1.5, topK: 2, seed: 4))
        #expect(sampled.count == 21)

        // The vocabulary travels with the saved model.
        model.vocabulary = text.vocabulary
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lm-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(to: file)
        let loaded = try loadModel(from: file.path)
        #expect(loaded.vocabulary == text.vocabulary)
        #expect(try loaded.generatedText(prompt: "abcdabcdabcdab", length: 6, temperature: 0) == "abcdabcdabcdabcdabcd")
        #expect(throws: NeuralNetError.self) { try loaded.generatedText(prompt: "abz", length: 3) }
        model.vocabulary = nil
        #expect(throws: NeuralNetError.self) { try model.generatedText(prompt: "ab", length: 3) }
        #expect(throws: NeuralNetError.self) { try loaded.generatedText(prompt: "ab", length: 3, temperature: -1) }
    }
}
