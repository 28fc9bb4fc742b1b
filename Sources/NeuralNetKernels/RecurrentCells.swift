import CNeuralNetKernels

/// The element-wise parts of LSTM and GRU steps (see `recurrent.c`), shared between threads by
/// blocks of rows. Each row's arithmetic is the same whatever the thread count.
public enum RecurrentCells {
    /// One LSTM step: `gates` `[rows, 4·units]` pre-activations in, activations out; writes the
    /// cell `c`, its `tanhC` and the hidden state `h` from the previous cell `cPrevious`.
    public static func lstmForward(
        gates: UnsafeMutablePointer<Float>, cPrevious: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
        h: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>, rows: Int, units: Int
    ) {
        Elementwise.forRowChunks(rows: rows, width: 4 * units) { start, count in
            let (o4, o1) = (start * 4 * units, start * units)
            nn_lstm_forward_step(gates + o4, cPrevious + o1, c + o1, h + o1, tanhC + o1, count, units)
        }
    }

    /// One LSTM step backwards: pre-activation gradients `dGates` from the hidden state's `dh`
    /// and the cell's `dc` (which becomes the previous cell's).
    public static func lstmBackward(
        gates: UnsafePointer<Float>, cPrevious: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, dh: UnsafePointer<Float>,
        dc: UnsafeMutablePointer<Float>, dGates: UnsafeMutablePointer<Float>, rows: Int, units: Int
    ) {
        Elementwise.forRowChunks(rows: rows, width: 4 * units) { start, count in
            let (o4, o1) = (start * 4 * units, start * units)
            nn_lstm_backward_step(gates + o4, cPrevious + o1, tanhC + o1, dh + o1, dc + o1, dGates + o4, count, units)
        }
    }

    /// One GRU step: `inputPart` `[rows, 3·units]` (x·W_ihᵀ + b_ih) becomes r | z | n, with
    /// `hiddenPart` (h·W_hhᵀ + b_hh); writes `h` from `hPrevious`.
    public static func gruForward(
        inputPart: UnsafeMutablePointer<Float>, hiddenPart: UnsafePointer<Float>, hPrevious: UnsafePointer<Float>,
        h: UnsafeMutablePointer<Float>, rows: Int, units: Int
    ) {
        Elementwise.forRowChunks(rows: rows, width: 3 * units) { start, count in
            let (o3, o1) = (start * 3 * units, start * units)
            nn_gru_forward_step(inputPart + o3, hiddenPart + o3, hPrevious + o1, h + o1, count, units)
        }
    }

    /// One GRU step backwards: the input and hidden projections' gradients and `dh ⊙ z`.
    public static func gruBackward(
        gates: UnsafePointer<Float>, hiddenPart: UnsafePointer<Float>, hPrevious: UnsafePointer<Float>, dh: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>, dHidden: UnsafeMutablePointer<Float>, dhPrevious: UnsafeMutablePointer<Float>,
        rows: Int, units: Int
    ) {
        Elementwise.forRowChunks(rows: rows, width: 3 * units) { start, count in
            let (o3, o1) = (start * 3 * units, start * units)
            nn_gru_backward_step(gates + o3, hiddenPart + o3, hPrevious + o1, dh + o1, dInput + o3, dHidden + o3, dhPrevious + o1, count, units)
        }
    }

    /// Step `step`'s columns of a sequence's `[rows, steps · width]` matrix, dense into `target`
    /// `[rows, width]`, plus `bias[r]` on row r when given; asks for the columns of step
    /// `step + direction` meanwhile (direction 1 forwards, -1 backwards, 0 none), which arrive
    /// while the step multiplies.
    public static func gatherStep(
        _ step: Int, of source: UnsafePointer<Float>, steps: Int, adding bias: UnsafePointer<Float>? = nil,
        into target: UnsafeMutablePointer<Float>, rows: Int, width: Int, direction: Int = 1
    ) {
        let next = (0..<steps).contains(step + direction) && direction != 0 ? direction * width : 0
        nn_gather_step(source + step * width, steps * width, bias, target, rows, width, next)
    }

    /// The reverse of `gatherStep`: `source` `[rows, width]` into step `step`'s columns of
    /// `target` `[rows, steps · width]`.
    public static func scatterStep(
        _ source: UnsafePointer<Float>, into step: Int, of target: UnsafeMutablePointer<Float>, steps: Int,
        rows: Int, width: Int, direction: Int = -1
    ) {
        let next = (0..<steps).contains(step + direction) && direction != 0 ? direction * width : 0
        nn_scatter_step(source, target + step * width, steps * width, rows, width, next)
    }
}
