package org.flows4j.snf;

import java.util.List;
import org.flows4j.nn.PiecewiseLinearNet;
import org.flows4j.kernels.RowGemm;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * Forward passes of float32 ReLU networks on the row kernels ({@link RowGemm}) for evaluation
 * without gradients: the same numbers as the tensor engine's (to float32 rounding), several times
 * faster on the large batches of the paper's evaluation (20 x 100000 samples). Rows are processed
 * in chunks that stay in cache; the outputs of several networks land side by side in one tensor.
 */
final class FastNets {
    private FastNets() {}

    private static final int CHUNK = 512;
    /** Below this output width a layer runs as dot products. */
    private static final int NARROW = 32;
    private static final RowGemm GEMM = RowGemm.best();

    /** True if every network is a float32 ReLU MLP (what this class computes). */
    static boolean supports(List<Mlp> nets, Tensor input) {
        if (input.dtype() != DType.FLOAT32) {
            return false;
        }
        for (Mlp m : nets) {
            if (m.activation() != Activation.RELU || m.layers().get(0).weight().dtype() != DType.FLOAT32) {
                return false;
            }
        }
        return true;
    }

    /** Rows from which a one-input network is evaluated in its piecewise-linear form. */
    private static final int PIECEWISE_ROWS = 1024;

    /** The networks' outputs on x [n, in], concatenated along columns: [n, sum of outputs]. */
    static Tensor forward(List<Mlp> nets, Tensor x) {
        int n = x.size(0);
        if (x.size(1) == 1 && n >= PIECEWISE_ROWS && nets.stream().allMatch(PiecewiseLinearNet::supports)) {
            return piecewise(nets, x);
        }
        return gemmForward(nets, x);
    }

    /**
     * One-input networks (the coupling networks of a 2-d flow) through their exact piecewise-linear
     * forms ({@link PiecewiseLinearNet}); the same values as the products to float32 rounding.
     */
    static Tensor piecewise(List<Mlp> nets, Tensor x) {
        int n = x.size(0);
        int total = 0;
        for (Mlp m : nets) {
            total += m.out();
        }
        PiecewiseLinearNet pw = PiecewiseForms.cached(nets);
        if (pw == null) {
            return gemmForward(nets, x);
        }
        float[] out = new float[n * total];
        pw.evaluate(x.rawFloats(), 0, 1, n, out, 0, total);
        return Tensor.of(out, n, total);
    }

    /** {@link #forward} on the row kernels (any input width). */
    static Tensor gemmForward(List<Mlp> nets, Tensor x) {
        int n = x.size(0);
        int in = x.size(1);
        int total = 0;
        int widest = in;
        for (Mlp m : nets) {
            total += m.out();
            for (Linear l : m.layers()) {
                widest = Math.max(widest, l.out());
            }
        }
        float[] src = x.rawFloats();
        float[] out = new float[n * total];
        int rows = Math.min(CHUNK, n);
        float[][] a = new float[rows][in];
        float[][] h1 = new float[rows][widest];
        float[][] h2 = new float[rows][widest];
        // Weights in the two layouts the kernels want: rows of W (dot products) or of W^T (saxpy).
        int layerCount = 0;
        for (Mlp m : nets) {
            layerCount += m.layers().size();
        }
        float[][][] w = new float[layerCount][][];
        float[][] bias = new float[layerCount][];
        int li = 0;
        for (Mlp m : nets) {
            for (Linear l : m.layers()) {
                float[] wf = l.weight().rawFloats();
                int o = l.out();
                int k = l.in();
                boolean narrow = o <= NARROW;
                float[][] lw = narrow ? new float[o][k] : new float[k][o];
                for (int r = 0; r < o; r++) {
                    for (int c = 0; c < k; c++) {
                        if (narrow) {
                            lw[r][c] = wf[r * k + c];
                        } else {
                            lw[c][r] = wf[r * k + c];
                        }
                    }
                }
                w[li] = lw;
                bias[li] = l.bias().rawFloats();
                li++;
            }
        }
        for (int s = 0; s < n; s += rows) {
            int cnt = Math.min(rows, n - s);
            for (int r = 0; r < cnt; r++) {
                System.arraycopy(src, (s + r) * in, a[r], 0, in);
            }
            int col = 0;
            li = 0;
            for (Mlp m : nets) {
                float[][] cur = a;
                List<Linear> layers = m.layers();
                for (int l = 0; l < layers.size(); l++) {
                    Linear lin = layers.get(l);
                    float[][] dst = cur == h1 ? h2 : h1;
                    if (lin.out() <= NARROW) {
                        GEMM.dots(cur, w[li], bias[li], false, dst, 0, cnt, lin.in(), lin.out());
                    } else {
                        GEMM.gemm(false, cur, w[li], bias[li], false, dst, 0, cnt, lin.in(), lin.out());
                    }
                    if (l + 1 < layers.size()) {
                        GEMM.relu(dst, 0, cnt, lin.out());
                    }
                    cur = dst;
                    li++;
                }
                int o = m.out();
                for (int r = 0; r < cnt; r++) {
                    System.arraycopy(cur[r], 0, out, (s + r) * total + col, o);
                }
                col += o;
            }
        }
        return Tensor.of(out, n, total);
    }
}
