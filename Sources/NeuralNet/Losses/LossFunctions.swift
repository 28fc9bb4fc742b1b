import Foundation

/// Loss functions on the tape. Each returns the mean over the batch as a scalar `Variable`
/// and has one fused pullback, so the backward pass costs a single pass over the batch; the
/// mean squared error and the softmax cross-entropies, the losses models train with most,
/// compute their gradient with the loss (see `LossNode`).

/// Mean squared error, `mean((predicted - expected)²)` over all elements;
/// `∂/∂predicted = 2(predicted - expected) / n`.
public func meanSquaredError(predicted: Variable, expected: Tensor) -> Variable {
    var difference = predicted.value - expected
    let n = Float(difference.count)
    let loss = difference.scalars.reduce(0) { $0 + $1 * $1 } / n
    return predicted.loss(loss) {
        difference *= 2 / n
        return difference
    }
}

/// Mean absolute error, `mean(|predicted - expected|)`; `∂/∂predicted = sign(predicted - expected) / n`.
public func meanAbsoluteError(predicted: Variable, expected: Tensor) -> Variable {
    let difference = predicted.value - expected
    let n = Float(difference.count)
    let loss = difference.map(abs).sum() / n
    return predicted.unary(Tensor(loss)) { upstream in
        let scale = upstream.scalar / n
        return difference.map { $0 > 0 ? scale : ($0 < 0 ? -scale : 0) }
    }
}

/// Binary cross-entropy of probabilities, `-mean(y log p + (1 - y) log(1 - p))`, with `p`
/// clipped to `[ε, 1 - ε]` so that a saturated output gives a finite loss.
/// `∂/∂p = (p - y) / (p(1 - p)) / n` inside the clip and at its bounds (as TensorFlow's
/// clipping passes it), 0 beyond them.
public func binaryCrossEntropy(predicted: Variable, expected: Tensor) -> Variable {
    let epsilon: Float = 1e-7
    let p = predicted.value
    let n = Float(p.count)
    let terms = p.zip(expected) { p, y in
        let q = min(max(p, epsilon), 1 - epsilon)
        return -(y * log(q) + (1 - y) * log(1 - q))
    }
    return predicted.unary(Tensor(terms.sum() / n)) { upstream in
        let scale = upstream.scalar / n
        return p.zip(expected) { p, y in
            guard p >= epsilon && p <= 1 - epsilon else { return 0 }
            return scale * (p - y) / (p * (1 - p))
        }
    }
}

/// Binary cross-entropy of logits `z` against targets `y` in [0, 1], the same as
/// `binaryCrossEntropy(predicted: sigmoid(z), expected: y)` without its clipping:
/// `mean(max(z, 0) - z · y + log(1 + e^{-|z|}))`, finite for any logit.
/// `∂/∂z = (sigmoid(z) - y) / n`, which stays informative for a confidently wrong logit.
public func sigmoidCrossEntropy(logits: Variable, labels: Tensor) -> Variable {
    let z = logits.value
    let n = Float(z.count)
    let terms = z.zip(labels) { z, y in Swift.max(z, 0) - z * y + log1p(exp(-Swift.abs(z))) }
    return logits.loss(terms.sum() / n) {
        z.zip(labels) { z, y in (logistic(z) - y) / n }
    }
}

/// Categorical cross-entropy of probabilities `[batch, classes]` against one-hot or soft
/// labels: `-mean over the batch of Σ y log p`, with `p` clipped to `[ε, 1]`.
public func categoricalCrossEntropy(predicted: Variable, expected: Tensor) -> Variable {
    let epsilon: Float = 1e-7
    let p = predicted.value
    let batch = Float(p.dimensions[0])
    let loss = p.zip(expected) { p, y in -y * log(max(p, epsilon)) }.sum() / batch
    return predicted.unary(Tensor(loss)) { upstream in
        let scale = upstream.scalar / batch
        return p.zip(expected) { p, y in p >= epsilon ? -scale * y / p : 0 }
    }
}

/// Softmax cross-entropy from logits `[batch, classes]` against one-hot or soft labels of the
/// same shape: `-mean over the batch of Σ y · log softmax(logits)`.
/// Computed through log-softmax, so it is stable for any logits; the fused pullback is
/// `(softmax(logits) · Σ y - y) / batch`.
public func softmaxCrossEntropy(logits: Variable, labels: Tensor) -> Variable {
    let logProbabilities = logits.value.logSoftmax()
    let batch = Float(logits.dimensions[0])
    let loss = -(labels * logProbabilities).sum() / batch
    return logits.loss(loss) {
        let labelMass = labels.sum(alongAxis: -1, keepingDimension: true)
        return (logProbabilities.map(exp) * labelMass - labels) * (1 / batch)
    }
}

/// Softmax cross-entropy from logits `[..., classes]` against class indices `[...]` (stored as
/// whole numbers in a tensor): `-mean(log softmax(logits)[i, labelᵢ])` over every position,
/// `[batch]` for a classifier, `[batch, time]` for a sequence model. Positions whose label is
/// `ignoring` (padding) count for nothing, and the mean is over the others, as PyTorch's
/// `ignore_index` does. The fused pullback is `(softmax(logits) - onehot(labels)) / n`.
public func sparseSoftmaxCrossEntropy(logits: Variable, labels: Tensor, ignoring ignored: Int? = nil) -> Variable {
    let classes = logits.shape.last ?? 1
    let rows = logits.value.count / Swift.max(classes, 1)
    let logProbabilities = logits.value.reshaped(to: [rows, classes]).logSoftmax()
    let classIndices = labels.scalars.map { Int($0) }
    let counted = ignored.map { ignored in classIndices.filter { $0 != ignored }.count } ?? rows
    let scale = 1 / Float(Swift.max(counted, 1))
    var total: Float = 0
    for (row, label) in classIndices.enumerated() where label != ignored {
        total -= logProbabilities.scalars[row * classes + label]
    }
    let shape = logits.shape
    return logits.loss(total * scale) {
        var gradient = logProbabilities.map(exp)
        for (row, label) in classIndices.enumerated() {
            if label == ignored {
                for j in 0..<classes { gradient.scalars[row * classes + j] = 0 }
            } else {
                gradient.scalars[row * classes + label] -= 1
            }
        }
        gradient *= scale
        return gradient.reshaped(to: shape)
    }
}
