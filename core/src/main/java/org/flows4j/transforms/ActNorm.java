package org.flows4j.transforms;

import java.util.Arrays;
import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * Activation normalisation (Kingma and Dhariwal 2018, Glow): a per-coordinate affine map
 * {@code y = x * exp(logScale) + shift}, log|det J| = sum(logScale), with data-dependent
 * initialisation: the first {@link #forward} call (data to base) on a batch of at least two rows
 * sets the parameters so that this batch comes out with zero mean and unit variance per
 * coordinate (population variance). The inverse never initialises.
 *
 * <p>A layer counts as initialised once it has initialised itself, after
 * {@link #markInitialized()}, or as soon as any parameter is non-zero (so a layer whose
 * parameters were loaded from a file, or set by hand, is never overwritten).
 */
public final class ActNorm implements Transform {
    /** Floor on the batch standard deviation used for initialisation. */
    public static final double MIN_STD = 1e-6;

    private final int dim;
    private final Tensor logScale;
    private final Tensor shift;
    private boolean initialized;

    public ActNorm(int dim, DType dtype) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        this.dim = dim;
        this.logScale = Tensor.zeros(dtype, dim).requireGrad();
        this.shift = Tensor.zeros(dtype, dim).requireGrad();
    }

    @Override
    public int dim() {
        return dim;
    }

    public Tensor logScale() {
        return logScale;
    }

    public Tensor shift() {
        return shift;
    }

    /** True once the data-dependent initialisation has happened (or is no longer wanted). */
    public boolean isInitialized() {
        if (!initialized) {
            for (int i = 0; i < dim; i++) {
                if (logScale.getFlat(i) != 0 || shift.getFlat(i) != 0) {
                    initialized = true;
                    break;
                }
            }
        }
        return initialized;
    }

    /** Switches the data-dependent initialisation off (keeps the current parameters). */
    public void markInitialized() {
        initialized = true;
    }

    /**
     * Sets the parameters from a batch x [n, D] (n >= 2) so that it maps to zero mean and unit
     * variance, and marks the layer initialised.
     */
    public void initialize(Tensor x) {
        check(x);
        int n = x.size(0);
        if (n < 2) {
            throw new IllegalArgumentException("ActNorm initialisation needs at least 2 rows, got " + n);
        }
        double[] data = x.toDoubleArray();
        for (int i = 0; i < dim; i++) {
            double mean = 0;
            for (int b = 0; b < n; b++) {
                mean += data[b * dim + i];
            }
            mean /= n;
            double ss = 0;
            for (int b = 0; b < n; b++) {
                double c = data[b * dim + i] - mean;
                ss += c * c;
            }
            double std = Math.max(Math.sqrt(ss / n), MIN_STD);
            set(logScale, i, -Math.log(std));
            set(shift, i, -mean / std);
        }
        initialized = true;
    }

    private static void set(Tensor p, int i, double v) {
        if (p.rawFloats() != null) {
            p.rawFloats()[i] = (float) v;
        } else {
            p.rawDoubles()[i] = v;
        }
    }

    private void check(Tensor x) {
        if (x.rank() != 2 || x.size(1) != dim) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim + "], got "
                    + Arrays.toString(x.shape()));
        }
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        check(x);
        if (!isInitialized() && x.size(0) >= 2 && x.allFinite()) {
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                initialize(x.detach());
            }
        }
        Tensor y = x.mul(logScale.exp()).add(shift);
        return new Result(y, Tensor.zeros(x.dtype(), x.size(0)).add(logScale.sum()));
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        check(y);
        Tensor x = y.sub(shift).mul(logScale.neg().exp());
        return new Result(x, Tensor.zeros(y.dtype(), y.size(0)).sub(logScale.sum()));
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(logScale, shift);
    }
}
