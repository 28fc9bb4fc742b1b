/// The geometry of a 2-D convolution or pooling window over channels-last images
/// `[batch, height, width, channels]`.
public struct ConvolutionGeometry: Sendable, Equatable {
    public let batch: Int, height: Int, width: Int, channels: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let strideHeight: Int, strideWidth: Int
    /// Zero rows above and columns to the left; the bottom and right padding follow from the
    /// output size.
    public let padTop: Int, padLeft: Int
    public let outputHeight: Int, outputWidth: Int

    public init(
        batch: Int, height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int, outputHeight: Int, outputWidth: Int
    ) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padTop = padTop
        self.padLeft = padLeft
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    /// Rows of the patch matrix: one per output position, `batch · outputHeight · outputWidth`.
    public var patchCount: Int { batch * outputHeight * outputWidth }
    /// Columns of the patch matrix: `kernelHeight · kernelWidth · channels`.
    public var patchSize: Int { kernelHeight * kernelWidth * channels }
}

/// im2col and col2im: a convolution becomes one matrix multiply of the patch matrix
/// `[patchCount, patchSize]` by the kernel `[patchSize, filters]`. Patch columns are ordered
/// `(ky, kx, channel)`, matching a kernel stored `[kernelHeight, kernelWidth, channels, filters]`.
public enum Convolution {
    /// Copies every window of `input` into a row of `patches`; padding reads as zero.
    public static func im2col(_ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, into patches: UnsafeMutablePointer<Float>) {
        let rowLength = g.kernelWidth * g.channels
        var row = patches
        for b in 0..<g.batch {
            let image = input + b * g.height * g.width * g.channels
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let x0 = ox * g.strideWidth - g.padLeft
                    for ky in 0..<g.kernelHeight {
                        let y = oy * g.strideHeight - g.padTop + ky
                        let destination = row + ky * rowLength
                        guard y >= 0 && y < g.height else {
                            destination.update(repeating: 0, count: rowLength)
                            continue
                        }
                        if x0 >= 0 && x0 + g.kernelWidth <= g.width {
                            // The whole kernel row is inside: one contiguous copy.
                            destination.update(from: image + (y * g.width + x0) * g.channels, count: rowLength)
                        } else {
                            for kx in 0..<g.kernelWidth {
                                let x = x0 + kx
                                let cell = destination + kx * g.channels
                                if x >= 0 && x < g.width {
                                    cell.update(from: image + (y * g.width + x) * g.channels, count: g.channels)
                                } else {
                                    cell.update(repeating: 0, count: g.channels)
                                }
                            }
                        }
                    }
                    row += g.patchSize
                }
            }
        }
    }

    /// Adds every row of `patches` back to the window it came from: the adjoint of `im2col`,
    /// which turns the gradient of the patches into the gradient of the input. `input` must be
    /// zeroed (or hold a gradient to add to).
    public static func col2im(_ patches: UnsafePointer<Float>, _ g: ConvolutionGeometry, addingInto input: UnsafeMutablePointer<Float>) {
        var row = patches
        for b in 0..<g.batch {
            let image = input + b * g.height * g.width * g.channels
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for ky in 0..<g.kernelHeight {
                        let y = oy * g.strideHeight - g.padTop + ky
                        guard y >= 0 && y < g.height else { continue }
                        for kx in 0..<g.kernelWidth {
                            let x = ox * g.strideWidth - g.padLeft + kx
                            guard x >= 0 && x < g.width else { continue }
                            let source = row + (ky * g.kernelWidth + kx) * g.channels
                            let target = image + (y * g.width + x) * g.channels
                            for c in 0..<g.channels { target[c] += source[c] }
                        }
                    }
                    row += g.patchSize
                }
            }
        }
    }
}
