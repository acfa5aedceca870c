package org.flows4j.transforms;

import java.util.Arrays;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * A fixed permutation of the coordinates: {@code y[:, j] = x[:, perm[j]]}; log|det J| = 0. Put
 * between autoregressive or coupling layers so every coordinate gets conditioned on the others.
 */
public final class Permutation implements Transform {
    private final int[] perm;
    private final int[] inv;

    /** y[:, j] = x[:, perm[j]]; {@code perm} must be a permutation of 0..D-1. */
    public Permutation(int[] perm) {
        int d = perm.length;
        if (d < 1) {
            throw new IllegalArgumentException("a permutation needs at least one coordinate");
        }
        this.perm = perm.clone();
        this.inv = new int[d];
        boolean[] seen = new boolean[d];
        for (int j = 0; j < d; j++) {
            int p = perm[j];
            if (p < 0 || p >= d || seen[p]) {
                throw new IllegalArgumentException("not a permutation of 0.." + (d - 1) + ": " + Arrays.toString(perm));
            }
            seen[p] = true;
            inv[p] = j;
        }
    }

    /** Reverses the order of the coordinates (MAF's choice between layers). */
    public static Permutation reverse(int dim) {
        int[] p = new int[dim];
        for (int i = 0; i < dim; i++) {
            p[i] = dim - 1 - i;
        }
        return new Permutation(p);
    }

    /** A uniformly random fixed permutation drawn from {@code rng}. */
    public static Permutation random(int dim, Rng rng) {
        return new Permutation(rng.permutation(dim));
    }

    /** A copy of the permutation: output j takes input perm[j]. */
    public int[] permutation() {
        return perm.clone();
    }

    @Override
    public int dim() {
        return perm.length;
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        return new Result(gather(x, perm), Tensor.zeros(x.dtype(), x.size(0)));
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        return new Result(gather(y, inv), Tensor.zeros(y.dtype(), y.size(0)));
    }

    private static Tensor gather(Tensor x, int[] p) {
        int d = p.length;
        if (x.rank() != 2 || x.size(1) != d) {
            throw new IllegalArgumentException("expected points of shape [batch, " + d + "], got "
                    + Arrays.toString(x.shape()));
        }
        int n = x.size(0);
        int[] index = new int[n * d];
        for (int b = 0; b < n; b++) {
            System.arraycopy(p, 0, index, b * d, d);
        }
        return x.gatherLast(index, d);
    }
}
