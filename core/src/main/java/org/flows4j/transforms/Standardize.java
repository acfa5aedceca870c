package org.flows4j.transforms;

import java.util.Arrays;
import org.flows4j.data.Standardization;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * A fixed elementwise affine map y = (x - mean) / std, the per-column standardisation of the
 * data as a layer: put in front of a flow trained on standardised data, it gives a flow over the
 * original data. log|det J| = -sum(log std) for every row. It has no trainable parameters.
 */
public final class Standardize implements Transform {
    private final double[] mean;
    private final double[] std;
    private final DType dtype;
    private final Tensor meanTensor;
    private final Tensor stdTensor;
    private final double logAbsDet;

    /** {@code mean} and {@code std} finite, {@code std} positive; tensors are computed in {@code dtype}. */
    public Standardize(double[] mean, double[] std, DType dtype) {
        if (mean.length != std.length || mean.length < 1) {
            throw new IllegalArgumentException("standardisation needs one mean and one std per coordinate, got "
                    + mean.length + " and " + std.length);
        }
        double sum = 0;
        for (int i = 0; i < mean.length; i++) {
            if (!Double.isFinite(mean[i]) || !(std[i] > 0) || !Double.isFinite(std[i])) {
                throw new IllegalArgumentException("standardisation of coordinate " + i + " needs a finite mean and a "
                        + "positive finite std, got mean " + mean[i] + ", std " + std[i]);
            }
            sum += Math.log(std[i]);
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.dtype = dtype;
        this.meanTensor = Tensor.of(dtype, this.mean, 1, mean.length);
        this.stdTensor = Tensor.of(dtype, this.std, 1, std.length);
        this.logAbsDet = -sum;
    }

    /** The layer for a fitted {@link Standardization}. */
    public static Standardize of(Standardization s, DType dtype) {
        return new Standardize(s.mean(), s.std(), dtype);
    }

    public Standardization standardization() {
        return new Standardization(mean, std);
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public int dim() {
        return mean.length;
    }

    private void check(Tensor x) {
        if (x.rank() != 2 || x.size(1) != mean.length) {
            throw new IllegalArgumentException("expected points of shape [batch, " + mean.length + "], got "
                    + Arrays.toString(x.shape()));
        }
    }

    /** The constants in the dtype of {@code x} (converted from the exact doubles, not from the other dtype). */
    private static Tensor in(Tensor t, double[] exact, Tensor x) {
        return t.dtype() == x.dtype() ? t : Tensor.of(x.dtype(), exact, 1, exact.length);
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        check(x);
        Tensor y = x.sub(in(meanTensor, mean, x)).div(in(stdTensor, std, x));
        return new Result(y, Tensor.full(x.dtype(), logAbsDet, x.size(0)));
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        check(y);
        Tensor x = y.mul(in(stdTensor, std, y)).add(in(meanTensor, mean, y));
        return new Result(x, Tensor.full(y.dtype(), -logAbsDet, y.size(0)));
    }
}
