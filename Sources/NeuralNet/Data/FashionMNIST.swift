import Foundation

/// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 28×28 grey images of clothing in ten classes,
/// 60,000 for training and 10,000 for testing, read from IDX files (plain or `.gz`).
///
/// `FashionMNIST()` looks, in order, in the directory named by `NEURALNET_DATA`, in
/// `./data/fashion-mnist`, and in `/usr/share/datasets/fashion-mnist` (Debian's
/// `dataset-fashion-mnist` package). `FashionMNIST.sample()` is a small slice shipped with the
/// library (3,000 training and 1,000 test images) that works offline.
///
/// Images are `[count, 28, 28, 1]` in [0, 1]; labels are class indices `[count]`.
public struct FashionMNIST: Sendable {
    /// The training set.
    public let train: Dataset
    /// The test set.
    public let test: Dataset
    /// Where the files were read from.
    public let source: String

    /// The class names, by index.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The full set from the first standard location that has it.
    /// Throws an error that lists the places searched and how to install the data; a set that
    /// is found but cannot be read (truncated, corrupt) is an error naming the file, never
    /// skipped; so is a `NEURALNET_DATA` directory without the files.
    public init() throws {
        let candidates = FashionMNIST.searchDirectories()
        if let custom = candidates.first, custom.origin == "NEURALNET_DATA", !IDXImageSet.exists(in: custom.path) {
            throw NeuralNetError.invalidData(
                "NEURALNET_DATA is \(custom.path), which does not hold \(IDXImageSet.fileNames.joined(separator: ", ")) "
                    + "(optionally .gz); point it at the directory with those files, or unset it")
        }
        guard let found = candidates.first(where: { IDXImageSet.exists(in: $0.path) }) else {
            let places = candidates.map { "  \($0.path) (\($0.origin))" }.joined(separator: "\n")
            throw NeuralNetError.invalidData("""
                Fashion-MNIST was not found. Looked in:
                \(places)
                Install it with `apt-get install dataset-fashion-mnist`, set NEURALNET_DATA to a directory \
                holding \(IDXImageSet.fileNames.joined(separator: ", ")) (optionally .gz), \
                or use FashionMNIST.sample() for the small copy shipped with NeuralNet.
                """)
        }
        try self.init(directory: found.path)
    }

    /// The set in `directory`, which must hold the four IDX files.
    public init(directory: String) throws {
        let set = try IDXImageSet(directory: directory, name: "Fashion-MNIST")
        (train, test, source) = (set.train, set.test, directory)
    }

    private init(set: IDXImageSet, source: String) {
        (train, test, self.source) = (set.train, set.test, source)
    }

    /// Whether a standard location (or `NEURALNET_DATA`) holds the files, so that
    /// `FashionMNIST()` will read them rather than report them missing.
    public static var isInstalled: Bool { searchDirectories().contains { IDXImageSet.exists(in: $0.path) } }

    /// The slice of Fashion-MNIST shipped with the library: 3,000 training and 1,000 test images.
    public static func sample() throws -> FashionMNIST {
        guard let directory = sampleDirectory else {
            throw NeuralNetError.invalidData("the embedded Fashion-MNIST sample is missing from NeuralNet's resource bundle")
        }
        return FashionMNIST(set: try IDXImageSet(directory: directory, name: "Fashion-MNIST sample"), source: "embedded sample")
    }

    /// Where the embedded sample's IDX files are.
    static var sampleDirectory: String? {
        Bundle.module.url(forResource: "FashionMNISTSample", withExtension: nil)?.path
    }

    /// The directories `init()` searches, in order, with where each comes from.
    public static func searchDirectories(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> [(path: String, origin: String)] {
        var directories: [(String, String)] = []
        if let custom = environment["NEURALNET_DATA"], !custom.isEmpty { directories.append((custom, "NEURALNET_DATA")) }
        directories.append(((currentDirectory as NSString).appendingPathComponent("data/fashion-mnist"), "current directory"))
        directories.append(("/usr/share/datasets/fashion-mnist", "Debian package dataset-fashion-mnist"))
        return directories
    }
}

/// MNIST (LeCun et al.): 28×28 grey handwritten digits, the same files and layout as
/// Fashion-MNIST. Images are `[count, 28, 28, 1]` in [0, 1]; labels are digits `[count]`.
public struct MNIST: Sendable {
    /// The training set.
    public let train: Dataset
    /// The test set.
    public let test: Dataset

    /// The set in `directory`, which must hold the four IDX files.
    public init(directory: String) throws {
        let set = try IDXImageSet(directory: directory, name: "MNIST")
        (train, test) = (set.train, set.test)
    }
}

/// The four-file layout shared by MNIST-like sets.
struct IDXImageSet {
    static let fileNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    let train: Dataset
    let test: Dataset

    static func exists(in directory: String) -> Bool {
        fileNames.allSatisfy { path(of: $0, in: directory) != nil }
    }

    /// The file `name` or `name.gz` in `directory`, if either exists.
    static func path(of name: String, in directory: String) -> String? {
        [name, name + ".gz"].map { (directory as NSString).appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    init(directory: String, name: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw NeuralNetError.invalidData("\(name): \(directory) is not a directory")
        }
        let missing = IDXImageSet.fileNames.filter { IDXImageSet.path(of: $0, in: directory) == nil }
        guard missing.isEmpty else {
            throw NeuralNetError.invalidData(
                "\(name): \(directory) lacks \(missing.joined(separator: ", ")) (plain or .gz); "
                    + "for Fashion-MNIST, `apt-get install dataset-fashion-mnist` puts them in /usr/share/datasets/fashion-mnist")
        }
        func load(_ images: String, _ labels: String) throws -> Dataset {
            let imagePath = IDXImageSet.path(of: images, in: directory)!, labelPath = IDXImageSet.path(of: labels, in: directory)!
            // Pixels stay bytes (a quarter of the memory of Floats), scaled to [0, 1] per batch.
            let pixels = try IDX.readBytes(contentsOf: imagePath)
            let classes = try IDX.read(contentsOf: labelPath)
            guard pixels.shape.count == 3 else {
                throw NeuralNetError.invalidFile(path: imagePath, reason: "expected images [count, height, width], found shape \(pixels.shape)")
            }
            guard classes.rank == 1, classes.shape[0] == pixels.shape[0] else {
                throw NeuralNetError.invalidFile(
                    path: labelPath, reason: "expected \(pixels.shape[0]) labels to match the images, found shape \(classes.shape)")
            }
            return try Dataset(byteInputs: pixels.bytes, shape: pixels.shape + [1], scale: 1 / 255, labels: classes)
        }
        train = try load(IDXImageSet.fileNames[0], IDXImageSet.fileNames[1])
        test = try load(IDXImageSet.fileNames[2], IDXImageSet.fileNames[3])
    }
}
