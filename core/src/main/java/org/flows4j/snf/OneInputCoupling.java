package org.flows4j.snf;

import java.util.List;
import org.flows4j.nn.PiecewiseLinearNet;
import org.flows4j.kernels.SplineKernel;
import org.flows4j.nn.Mlp;
import org.flows4j.transforms.RationalQuadraticSpline;

/**
 * Couplings of a 2-d flow without gradients: the conditioning coordinate c[i] goes through the
 * networks' joint piecewise-linear form ({@link PiecewiseForms#cached(List)}, one look-up per
 * row for all of them), the transformed coordinate v[i] through the transformer, in double
 * precision, with no intermediate tensors. The same outputs as the tensor path to float32
 * rounding (the tensor path rounds every intermediate to float32).
 */
final class OneInputCoupling {
    private OneInputCoupling() {}

    private static final SplineKernel KERNEL = SplineKernel.best();
    /** Rows per block of the spline path: its parameters (3K - 1 doubles a row) stay in cache. */
    private static final int BLOCK = 1024;

    /** True if every network is a ReLU network of one input. */
    static boolean supports(List<Mlp> nets) {
        return nets.stream().allMatch(PiecewiseLinearNet::supports);
    }

    /**
     * The paper's affine coupling: s = alpha tanh(raw), y = v exp(s) + t (toward data) or
     * (v - t) exp(-s) (toward the base), log-det +-s. Returns {y, logDet}, or null when the
     * networks have no piecewise form worth using.
     */
    static double[][] affine(List<Mlp> nets, double alpha, float[] c, float[] v, boolean towardData) {
        int n = v.length;
        PiecewiseLinearNet pw = PiecewiseForms.cached(nets);
        if (pw == null) {
            return null;
        }
        double[] raw = new double[n];
        double[] shift = new double[n];
        pw.evaluatePairs(c, 0, n, raw, shift);
        double[] y = new double[n];
        double[] ld = new double[n];
        for (int i = 0; i < n; i++) {
            double s = alpha * tanh(raw[i]);
            if (towardData) {
                y[i] = v[i] * Math.exp(s) + shift[i];
                ld[i] = s;
            } else {
                y[i] = (v[i] - shift[i]) * Math.exp(-s);
                ld[i] = -s;
            }
        }
        return new double[][] {y, ld};
    }

    /** tanh through the intrinsic exp (Math.tanh is not intrinsified), to double rounding. */
    static double tanh(double x) {
        double a = Math.abs(x);
        if (a < 0.125) {
            return Math.tanh(x);
        }
        double e = Math.exp(-2 * a);
        return Math.copySign((1 - e) / (1 + e), x);
    }

    /**
     * The rational-quadratic spline coupling: parameters in columns, splines in vectorised blocks
     * ({@link SplineKernel}). Returns {y, logDet}, or null as {@link #affine}.
     */
    static double[][] spline(List<Mlp> nets, RationalQuadraticSpline rq, float[] c, float[] v, boolean inverse) {
        int n = v.length;
        int p = 3 * rq.bins() - 1;
        PiecewiseLinearNet pw = PiecewiseForms.cached(nets);
        if (pw == null) {
            return null;
        }
        double[] y = new double[n];
        double[] ld = new double[n];
        int block = Math.min(BLOCK, n);
        // columns a few lines longer than the block: 3K - 1 columns 8 KB apart would all map to
        // the same cache sets
        int stride = block + 8;
        double[] u = new double[p * stride];
        double[] vb = new double[block];
        double[] yb = new double[block];
        double[] lb = new double[block];
        int[] piece = new int[block];
        for (int s = 0; s < n; s += block) {
            int m = Math.min(block, n - s);
            pw.evaluateColumns(c, s, m, u, 0, stride, piece);
            for (int i = 0; i < m; i++) {
                vb[i] = v[s + i];
            }
            KERNEL.apply(rq.bins(), rq.tailBound(), rq.minBinWidth(), rq.minBinHeight(), rq.minDerivative(), inverse,
                    vb, u, stride, m, yb, lb);
            System.arraycopy(yb, 0, y, s, m);
            System.arraycopy(lb, 0, ld, s, m);
        }
        return new double[][] {y, ld};
    }
}
