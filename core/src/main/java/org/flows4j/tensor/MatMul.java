package org.flows4j.tensor;

/**
 * Matrix products {@code op(A) @ op(B)} where op is identity or transpose. The family is closed
 * under differentiation (the gradient of each member is a product of the same family), so second
 * derivatives come for free.
 */
final class MatMul {
    private MatMul() {}

    static Tensor mm(Tensor a, Tensor b, boolean ta, boolean tb) {
        Tensor.sameDType(a, b, "matmul");
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("matmul needs rank-2 tensors, got " + Shapes.str(a.shape) + " and "
                    + Shapes.str(b.shape));
        }
        int n = ta ? a.shape[1] : a.shape[0];
        int k = ta ? a.shape[0] : a.shape[1];
        int kb = tb ? b.shape[1] : b.shape[0];
        int m = tb ? b.shape[0] : b.shape[1];
        if (k != kb) {
            throw new IllegalArgumentException("matmul shape mismatch: " + Shapes.str(a.shape) + (ta ? "^T" : "")
                    + " @ " + Shapes.str(b.shape) + (tb ? "^T" : ""));
        }
        Tensor out = Tensor.alloc(a.dtype(), new int[] {n, m});
        if (a.f != null) {
            Gemm.sgemm(ta, tb, n, m, k, a.f, b.f, out.f);
        } else {
            Gemm.dgemm(ta, tb, n, m, k, a.d, b.d, out.d);
        }
        if (!a.requiresGrad && !b.requiresGrad) {
            return out;
        }
        return Autograd.record(out, "matmul", g -> {
            Tensor ga = null;
            Tensor gb = null;
            if (a.requiresGrad) {
                ga = ta ? mm(b, g, tb, true) : mm(g, b, false, !tb);
            }
            if (b.requiresGrad) {
                gb = tb ? mm(g, a, true, ta) : mm(a, g, !ta, false);
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }
}
