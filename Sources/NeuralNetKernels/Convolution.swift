import CNeuralNetKernels

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

    /// The same geometry for `count` images.
    public func images(_ count: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(
            batch: count, height: height, width: width, channels: channels, kernelHeight: kernelHeight,
            kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth, padTop: padTop,
            padLeft: padLeft, outputHeight: outputHeight, outputWidth: outputWidth)
    }

    /// Rows of the patch matrix: one per output position, `batch · outputHeight · outputWidth`.
    public var patchCount: Int { batch * outputHeight * outputWidth }
    /// Floats in one input image: `height · width · channels`.
    public var imageSize: Int { height * width * channels }
    /// Columns of the patch matrix: `kernelHeight · kernelWidth · channels`.
    public var patchSize: Int { kernelHeight * kernelWidth * channels }
}

/// im2col and col2im: a convolution becomes one matrix multiply of the patch matrix
/// `[patchCount, patchSize]` by the kernel `[patchSize, filters]`. Patch columns are ordered
/// `(ky, kx, channel)`, matching a kernel stored `[kernelHeight, kernelWidth, channels, filters]`.
public enum Convolution {
    /// Copies every window of `input` into a row of `patches`; padding reads as zero.
    public static func im2col(
        _ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, into patches: UnsafeMutablePointer<Float>, threads: Int? = nil
    ) {
        forImages(of: g, threads: threads) { first, end in
            nn_im2col(input + first * g.imageSize, end - first, g.height, g.width, g.channels, g.kernelHeight, g.kernelWidth,
                      g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.outputHeight, g.outputWidth,
                      patches + first * g.outputHeight * g.outputWidth * g.patchSize)
        }
    }

    /// Adds every row of `patches` back to the window it came from: the adjoint of `im2col`,
    /// which turns the gradient of the patches into the gradient of the input. `input` must be
    /// zeroed (or hold a gradient to add to).
    public static func col2im(_ patches: UnsafePointer<Float>, _ g: ConvolutionGeometry, addingInto input: UnsafeMutablePointer<Float>) {
        forImages(of: g) { first, end in
            nn_col2im(patches + first * g.outputHeight * g.outputWidth * g.patchSize, end - first, g.height, g.width, g.channels,
                      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.outputHeight,
                      g.outputWidth, input + first * g.imageSize)
        }
    }

    /// The convolution `output = patches · w` (plus `bias` `[filters]` and ReLU, as
    /// `MatrixMultiply.multiply` applies them) of `input` with `w` `[patchSize, filters]`,
    /// written as `[patchCount, filters]`, without the whole patch matrix: a chunk of images at a
    /// time (see `imagesPerChunk`), each chunk's patches made in a buffer that stays in cache.
    /// Chunks are shared between threads; every chunk is computed the same way on any number.
    public static func forward(
        _ input: UnsafePointer<Float>, kernel w: UnsafePointer<Float>, filters: Int, _ g: ConvolutionGeometry,
        bias: UnsafePointer<Float>?, relu: Bool, into output: UnsafeMutablePointer<Float>
    ) {
        let (chunk, rows) = (imagesPerChunk(g), g.outputHeight * g.outputWidth)
        let chunks = (g.batch + chunk - 1) / chunk
        func run(_ index: Int, threads: Int?) {
            let first = index * chunk
            let part = g.images(min(chunk, g.batch - first))
            Workspace.shared.withBuffer(floats: part.patchCount * g.patchSize) { patches in
                im2col(input + first * g.imageSize, part, into: patches, threads: threads)
                MatrixMultiply.multiply(
                    patches, w, into: output + first * rows * filters, m: part.patchCount, n: filters, k: g.patchSize,
                    bias: bias, relu: relu, threads: threads)
            }
        }
        // One chunk (a small batch) keeps every thread for its own multiply.
        if chunks == 1 { return run(0, threads: nil) }
        ComputeThreads.parallelFor(chunks, threads: ComputeThreads.count) { run($0, threads: 1) }
    }

    /// The gradient of a convolution's kernel, `patchesᵀ · dz` `[patchSize, filters]` for `dz`
    /// `[patchCount, filters]`, written into `kernelGradient`, with each chunk's patches made
    /// again in a cached buffer rather than kept from the forward pass. The images are split
    /// into two fixed halves, each summed chunk by chunk in order into its own partial gradient,
    /// and the halves are added last: two threads share the work without meeting, and one
    /// thread gets the very same sums.
    public static func kernelGradient(
        _ input: UnsafePointer<Float>, _ dz: UnsafePointer<Float>, filters: Int, _ g: ConvolutionGeometry,
        into kernelGradient: UnsafeMutablePointer<Float>
    ) {
        let (chunk, rows, size) = (imagesPerChunk(g), g.outputHeight * g.outputWidth, g.patchSize * filters)
        let half = (g.batch + 1) / 2
        Workspace.shared.withBuffer(floats: size) { second in
            ComputeThreads.parallelFor(2, threads: ComputeThreads.count) { group in
                let target = group == 0 ? kernelGradient : second
                let (start, end) = group == 0 ? (0, half) : (half, g.batch)
                if start == end { target.update(repeating: 0, count: size) }
                for first in stride(from: start, to: end, by: chunk) {
                    let part = g.images(min(chunk, end - first))
                    Workspace.shared.withBuffer(floats: part.patchCount * g.patchSize) { patches in
                        im2col(input + first * g.imageSize, part, into: patches, threads: 1)
                        MatrixMultiply.multiply(
                            patches, transposeA: true, dz + first * rows * filters, into: target, m: g.patchSize,
                            n: filters, k: part.patchCount, accumulate: first > start, threads: 1)
                    }
                }
            }
            for i in 0..<size { kernelGradient[i] += second[i] }
        }
    }

    /// Images per chunk of `forward` and `kernelGradient`: patches of about 512 KB, which
    /// stay in a core's cache between im2col and the multiply.
    static func imagesPerChunk(_ g: ConvolutionGeometry) -> Int {
        max(1, min(g.batch, (1 << 17) / max(1, g.outputHeight * g.outputWidth * g.patchSize)))
    }

    /// `col2im(dz · wᵀ)`: the input gradient of a convolution from the gradient of its output
    /// `dz` `[patchCount, filters]` and its kernel `w` `[patchSize, filters]`, added into
    /// `input`, without the `[patchCount, patchSize]` matrix of patch gradients: image by image,
    /// each image's patch gradients go through a buffer that stays in cache on their way to
    /// col2im. Images are shared between threads; every image is computed the same way on any
    /// number of them.
    public static func inputGradient(
        _ dz: UnsafePointer<Float>, kernel w: UnsafePointer<Float>, filters: Int, _ g: ConvolutionGeometry,
        addingInto input: UnsafeMutablePointer<Float>
    ) {
        let rows = g.outputHeight * g.outputWidth
        forImages(of: g) { first, end in
            Workspace.shared.withBuffer(floats: rows * g.patchSize) { patches in
                for image in first..<end {
                    MatrixMultiply.multiply(
                        dz + image * rows * filters, w, transposeB: true, into: patches, m: rows, n: g.patchSize, k: filters,
                        threads: 1)
                    nn_col2im(patches, 1, g.height, g.width, g.channels, g.kernelHeight, g.kernelWidth, g.strideHeight,
                              g.strideWidth, g.padTop, g.padLeft, g.outputHeight, g.outputWidth, input + image * g.imageSize)
                }
            }
        }
    }

    /// Runs `body(first, end)` on ranges of the batch's images, one range per thread when the
    /// batch is large enough to be worth sharing. Every image is written by one range only.
    static func forImages(of g: ConvolutionGeometry, threads: Int? = nil, _ body: (Int, Int) -> Void) {
        let work = g.batch * g.outputHeight * g.outputWidth * g.patchSize
        let parts = work < 1 << 16 ? 1 : min(threads ?? ComputeThreads.count, g.batch)
        let chunk = (g.batch + parts - 1) / max(parts, 1)
        ComputeThreads.parallelFor(parts, threads: parts) { part in
            let first = part * chunk
            let end = min(first + chunk, g.batch)
            if first < end { body(first, end) }
        }
    }
}
