import CNeuralNetKernels

/// Max and average pooling over channels-last images, window by window (the geometry's
/// `kernelHeight × kernelWidth`); windows that reach into the padding ignore it.
public enum Pooling {
    /// The maximum of each window and channel; `argmax` receives the flat input index of each
    /// maximum (the first on ties), for the backward pass.
    public static func maxForward(
        _ input: UnsafePointer<Float>, _ g: ConvolutionGeometry,
        into output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    ) {
        Convolution.forImages(of: g) { first, end in
            nn_max_pool(input, first, end, g.height, g.width, g.channels, g.kernelHeight, g.kernelWidth, g.strideHeight,
                        g.strideWidth, g.padTop, g.padLeft, g.outputHeight, g.outputWidth, output, argmax)
        }
    }

    /// Routes each output gradient to the input that was the maximum of its window. Windows
    /// never cross images, so images are shared between threads.
    public static func maxBackward(
        _ upstream: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, _ g: ConvolutionGeometry,
        addingInto inputGradient: UnsafeMutablePointer<Float>
    ) {
        let perImage = g.outputHeight * g.outputWidth * g.channels
        Convolution.forImages(of: g) { first, end in
            for i in (first * perImage)..<(end * perImage) { inputGradient[Int(argmax[i])] += upstream[i] }
        }
    }

    /// The mean of each window and channel, over the window's cells inside the image.
    public static func averageForward(_ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, into output: UnsafeMutablePointer<Float>) {
        forEachWindow(g) { out, imageBase, y0, y1, x0, x1 in
            let scale = 1 / Float((y1 - y0) * (x1 - x0))
            for c in 0..<g.channels {
                var sum: Float = 0
                for y in y0..<y1 {
                    for x in x0..<x1 { sum += input[imageBase + (y * g.width + x) * g.channels + c] }
                }
                output[out + c] = sum * scale
            }
        }
    }

    /// Spreads each output gradient evenly over its window.
    public static func averageBackward(_ upstream: UnsafePointer<Float>, _ g: ConvolutionGeometry, addingInto inputGradient: UnsafeMutablePointer<Float>) {
        forEachWindow(g) { out, imageBase, y0, y1, x0, x1 in
            let scale = 1 / Float((y1 - y0) * (x1 - x0))
            for c in 0..<g.channels {
                let share = upstream[out + c] * scale
                for y in y0..<y1 {
                    for x in x0..<x1 { inputGradient[imageBase + (y * g.width + x) * g.channels + c] += share }
                }
            }
        }
    }

    /// Calls `body(outputOffset, imageBase, y0, y1, x0, x1)` for each window, clipped to the image.
    @inline(__always)
    static func forEachWindow(_ g: ConvolutionGeometry, _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        var out = 0
        for b in 0..<g.batch {
            let imageBase = b * g.height * g.width * g.channels
            for oy in 0..<g.outputHeight {
                let y0 = max(oy * g.strideHeight - g.padTop, 0)
                let y1 = min(oy * g.strideHeight - g.padTop + g.kernelHeight, g.height)
                for ox in 0..<g.outputWidth {
                    let x0 = max(ox * g.strideWidth - g.padLeft, 0)
                    let x1 = min(ox * g.strideWidth - g.padLeft + g.kernelWidth, g.width)
                    body(out, imageBase, y0, y1, x0, x1)
                    out += g.channels
                }
            }
        }
    }
}
