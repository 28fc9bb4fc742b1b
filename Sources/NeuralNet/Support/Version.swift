/// The library's version, as `nn --version` prints it. Raised with every release that changes
/// the public API or the file formats.
public let version = "0.4.0"
