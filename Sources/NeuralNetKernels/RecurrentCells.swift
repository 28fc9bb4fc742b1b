import CNeuralNetKernels

/// The element-wise parts of LSTM and GRU steps (see `recurrent.c`) on a step's feature-major
/// state of `count` elements (`units · batch`), its gate blocks `count` apart. A large step is
/// shared between threads by spans of every block: each element's arithmetic is the same
/// whatever the thread count.
public enum RecurrentCells {
    /// One LSTM step: `gates` `[4, count]` pre-activations in, activations out; writes the
    /// cell `c`, its `tanhC` and the hidden state `h` (each `[count]`) from the previous cell
    /// `cPrevious`.
    public static func lstmForward(
        gates: UnsafeMutablePointer<Float>, cPrevious: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
        h: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>, count: Int
    ) {
        forSpans(of: count) { start, size in
            nn_lstm_forward_step(gates + start, count, cPrevious + start, c + start, h + start, tanhC + start, size)
        }
    }

    /// One LSTM step backwards: pre-activation gradients `dGates` `[4, count]` from the hidden
    /// state's `dh` and the cell's `dc` (which becomes the previous cell's).
    public static func lstmBackward(
        gates: UnsafePointer<Float>, cPrevious: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, dh: UnsafePointer<Float>,
        dc: UnsafeMutablePointer<Float>, dGates: UnsafeMutablePointer<Float>, count: Int
    ) {
        forSpans(of: count) { start, size in
            nn_lstm_backward_step(gates + start, count, cPrevious + start, tanhC + start, dh + start, dc + start,
                                  dGates + start, size)
        }
    }

    /// One GRU step: `inputPart` `[3, count]` (x·W_ihᵀ + b_ih) becomes r | z | n, with
    /// `hiddenPart` (h·W_hhᵀ + b_hh, laid out alike); writes `h` from `hPrevious`.
    public static func gruForward(
        inputPart: UnsafeMutablePointer<Float>, hiddenPart: UnsafePointer<Float>, hPrevious: UnsafePointer<Float>,
        h: UnsafeMutablePointer<Float>, count: Int
    ) {
        forSpans(of: count) { start, size in
            nn_gru_forward_step(inputPart + start, hiddenPart + start, count, hPrevious + start, h + start, size)
        }
    }

    /// One GRU step backwards: the input and hidden projections' gradients and `dh ⊙ z`.
    public static func gruBackward(
        gates: UnsafePointer<Float>, hiddenPart: UnsafePointer<Float>, hPrevious: UnsafePointer<Float>, dh: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>, dHidden: UnsafeMutablePointer<Float>, dhPrevious: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        forSpans(of: count) { start, size in
            nn_gru_backward_step(gates + start, hiddenPart + start, count, hPrevious + start, dh + start, dInput + start,
                                 dHidden + start, dhPrevious + start, size)
        }
    }

    /// `body(firstRow, rowCount)` over the rows of a step's columns, one block a thread from
    /// 4,096 elements: each row's run waits on memory of its own, and two threads wait on twice
    /// as many at once (lstm-train 7.6% faster).
    static func forRows(_ rows: Int, width: Int, _ body: (Int, Int) -> Void) {
        guard rows * width >= 1 << 12 else { return body(0, rows) }
        Elementwise.forChunks(of: rows, multiple: 1, parallelFrom: 0, body)
    }

    /// `body(start, size)` over spans of a step's `count` elements, one a thread from 4,096
    /// elements: each costs four or five exponentials, so such a step pays for waking the
    /// second thread (an LSTM of 256 units with batch 32 has 8,192; lstm-train 1.8% faster).
    static func forSpans(of count: Int, _ body: (Int, Int) -> Void) {
        Elementwise.forChunks(of: count, parallelFrom: 1 << 12, body)
    }

    /// Step `step`'s columns of a sequence's `[rows, steps · width]` matrix, dense into `target`
    /// `[rows, width]`, plus `bias[r]` on row r when given; asks for the columns of step
    /// `step + direction` meanwhile (direction 1 forwards, -1 backwards, 0 none), which arrive
    /// while the step multiplies. Many rows are shared between threads.
    public static func gatherStep(
        _ step: Int, of source: UnsafePointer<Float>, steps: Int, adding bias: UnsafePointer<Float>? = nil,
        into target: UnsafeMutablePointer<Float>, rows: Int, width: Int, direction: Int = 1
    ) {
        let next = (0..<steps).contains(step + direction) && direction != 0 ? direction * width : 0
        let stride = steps * width
        forRows(rows, width: width) { start, count in
            nn_gather_step(source + step * width + start * stride, stride, bias.map { $0 + start }, target + start * width,
                           count, width, next)
        }
    }

    /// The reverse of `gatherStep`: `source` `[rows, width]` into step `step`'s columns of
    /// `target` `[rows, steps · width]`, asking meanwhile to write step `step + direction`'s.
    public static func scatterStep(
        _ source: UnsafePointer<Float>, into step: Int, of target: UnsafeMutablePointer<Float>, steps: Int,
        rows: Int, width: Int, direction: Int = -1
    ) {
        let next = (0..<steps).contains(step + direction) && direction != 0 ? direction * width : 0
        let stride = steps * width
        forRows(rows, width: width) { start, count in
            nn_scatter_step(source + start * width, target + step * width + start * stride, stride, count, width, next)
        }
    }
}
