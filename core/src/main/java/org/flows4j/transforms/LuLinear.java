package org.flows4j.transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * An invertible linear layer in LU form (Kingma and Dhariwal 2018, Glow; Durkan et al. 2019):
 * {@code y = W x + b} with {@code W = P L U}, P a fixed permutation, L unit lower triangular and U
 * upper triangular with diagonal {@code exp(logDiag)} (so W is always invertible), giving
 * {@code log|det W| = sum(logDiag)}. The inverse is a permutation and two triangular solves,
 * written with tensor ops (differentiable).
 *
 * <p>Parameters, in order: the strictly lower entries of L and strictly upper entries of U (row by
 * row, {@code D(D-1)/2} each; absent when D = 1), {@code logDiag} [D], {@code b} [D].
 */
public final class LuLinear implements Transform {
    private final int dim;
    private final int[] perm;
    private final int[] invPerm;
    private final Tensor lower;
    private final Tensor upper;
    private final Tensor logDiag;
    private final Tensor bias;
    private final int[] lIndex;
    private final int[] uIndex;

    /**
     * A random layer: a random permutation, off-diagonal entries uniform in +-1/sqrt(D), unit
     * diagonal of U (logDiag = 0) and zero bias.
     */
    public LuLinear(int dim, Rng rng, DType dtype) {
        this(rng.permutation(checkDim(dim)),
                Tensor.uniform(rng, dtype, -1 / Math.sqrt(dim), 1 / Math.sqrt(dim), dim * (dim - 1) / 2),
                Tensor.uniform(rng, dtype, -1 / Math.sqrt(dim), 1 / Math.sqrt(dim), dim * (dim - 1) / 2),
                Tensor.zeros(dtype, dim), Tensor.zeros(dtype, dim));
    }

    /** A layer with the given permutation and parameters (copied into trainable leaves). */
    public LuLinear(int[] perm, Tensor lower, Tensor upper, Tensor logDiag, Tensor bias) {
        this.dim = checkDim(perm.length);
        this.perm = perm.clone();
        this.invPerm = new int[dim];
        boolean[] seen = new boolean[dim];
        for (int j = 0; j < dim; j++) {
            if (perm[j] < 0 || perm[j] >= dim || seen[perm[j]]) {
                throw new IllegalArgumentException("not a permutation: " + Arrays.toString(perm));
            }
            seen[perm[j]] = true;
            invPerm[perm[j]] = j;
        }
        int m = dim * (dim - 1) / 2;
        if (lower.numel() != m || upper.numel() != m || logDiag.numel() != dim || bias.numel() != dim) {
            throw new IllegalArgumentException("LU parameters of a " + dim + "-D layer need " + m + ", " + m + ", "
                    + dim + " and " + dim + " entries");
        }
        this.lower = m == 0 ? null : lower.copy().reshape(m).requireGrad();
        this.upper = m == 0 ? null : upper.copy().reshape(m).requireGrad();
        this.logDiag = logDiag.copy().reshape(dim).requireGrad();
        this.bias = bias.copy().reshape(dim).requireGrad();
        // L entries index into [lower (m), 0, 1]; U entries into [upper (m), diag (D), 0].
        this.lIndex = new int[dim * dim];
        this.uIndex = new int[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                lIndex[i * dim + j] = i > j ? i * (i - 1) / 2 + j : (i == j ? m + 1 : m);
                uIndex[i * dim + j] = i < j ? upperPos(i, j) : (i == j ? m + i : m + dim);
            }
        }
    }

    private int upperPos(int i, int j) {
        // rows 0..i-1 hold (D-1) + (D-2) + ... entries; within row i, column j > i
        return i * dim - i * (i + 1) / 2 + (j - i - 1);
    }

    private static int checkDim(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        return dim;
    }

    @Override
    public int dim() {
        return dim;
    }

    public int[] permutation() {
        return perm.clone();
    }

    /** Unit lower-triangular L [D, D]. */
    public Tensor lowerMatrix() {
        DType dt = logDiag.dtype();
        Tensor consts = Tensor.of(dt, new double[] {0, 1}, 2);
        Tensor src = lower == null ? consts : Tensor.concat(0, lower, consts);
        return src.gatherLast(lIndex, dim * dim).reshape(dim, dim);
    }

    /** Upper-triangular U [D, D] with diagonal exp(logDiag). */
    public Tensor upperMatrix() {
        DType dt = logDiag.dtype();
        Tensor diag = logDiag.exp();
        Tensor zero = Tensor.zeros(dt, 1);
        Tensor src = upper == null ? Tensor.concat(0, diag, zero) : Tensor.concat(0, upper, diag, zero);
        return src.gatherLast(uIndex, dim * dim).reshape(dim, dim);
    }

    /** W = P L U [D, D] (row j of W is row perm[j] of L U). */
    public Tensor weight() {
        return lowerMatrix().matmul(upperMatrix()).indexSelect(perm);
    }

    public Tensor bias() {
        return bias;
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
        Tensor y = Tensor.mm(x, weight(), false, true).add(bias);
        return new Result(y, Tensor.zeros(x.dtype(), x.size(0)).add(logDiag.sum()));
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        check(y);
        int n = y.size(0);
        Tensor v = y.sub(bias);
        int[] index = new int[n * dim];
        for (int b = 0; b < n; b++) {
            System.arraycopy(invPerm, 0, index, b * dim, dim);
        }
        Tensor w = v.gatherLast(index, dim); // P^T v
        Tensor l = lowerMatrix();
        Tensor u = upperMatrix();
        Tensor invDiag = logDiag.neg().exp();
        // forward substitution: L a = w
        Tensor[] a = new Tensor[dim];
        for (int i = 0; i < dim; i++) {
            Tensor acc = w.slice(1, i, i + 1);
            if (i > 0) {
                Tensor prev = i == 1 ? a[0] : Tensor.concat(1, Arrays.copyOfRange(a, 0, i));
                acc = acc.sub(Tensor.mm(prev, l.slice(0, i, i + 1).slice(1, 0, i), false, true));
            }
            a[i] = acc;
        }
        // back substitution: U x = a
        Tensor[] xs = new Tensor[dim];
        for (int i = dim - 1; i >= 0; i--) {
            Tensor acc = a[i];
            if (i < dim - 1) {
                Tensor later = i == dim - 2 ? xs[dim - 1] : Tensor.concat(1, Arrays.copyOfRange(xs, i + 1, dim));
                acc = acc.sub(Tensor.mm(later, u.slice(0, i, i + 1).slice(1, i + 1, dim), false, true));
            }
            xs[i] = acc.mul(invDiag.slice(0, i, i + 1));
        }
        Tensor x = dim == 1 ? xs[0] : Tensor.concat(1, xs);
        return new Result(x, Tensor.zeros(y.dtype(), n).sub(logDiag.sum()));
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>();
        if (lower != null) {
            ps.add(lower);
            ps.add(upper);
        }
        ps.add(logDiag);
        ps.add(bias);
        return ps;
    }
}
