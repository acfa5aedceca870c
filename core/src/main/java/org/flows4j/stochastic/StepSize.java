package org.flows4j.stochastic;

import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/** A positive step size, fixed or trainable (stored as its logarithm, so it stays positive). */
final class StepSize {
    private final double fixed;
    private final Tensor log;

    StepSize(double value, boolean trainable, DType dtype, String name) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a positive number, got " + value);
        }
        this.fixed = value;
        this.log = trainable ? Tensor.full(dtype, Math.log(value), 1).requireGrad() : null;
    }

    boolean trainable() {
        return log != null;
    }

    /** The current value. */
    double value() {
        return log == null ? fixed : Math.exp(log.getFlat(0));
    }

    /** The value as a one-element tensor of the given dtype (carrying the gradient when trainable). */
    Tensor tensor(DType dtype) {
        if (log == null) {
            return Tensor.full(dtype, fixed, 1);
        }
        Tensor l = log.dtype() == dtype ? log : log.to(dtype);
        return l.exp();
    }

    /** The trainable log step size, or null. */
    Tensor parameter() {
        return log;
    }
}
