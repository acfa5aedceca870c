package org.flows4j.tensor;

import java.util.Arrays;

/** Shape changes, slicing, concatenation, gathers and their adjoints. */
final class Indexing {
    private Indexing() {}

    static Tensor reshape(Tensor x, int[] shape) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension may be -1");
                }
                infer = i;
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer dimension for " + Shapes.str(shape)
                        + " from " + x.numel() + " elements");
            }
            shape[infer] = (int) (x.numel() / known);
        }
        if (Shapes.numel(shape) != x.numel()) {
            throw new IllegalArgumentException("reshape: " + Shapes.str(x.shape) + " cannot become " + Shapes.str(shape));
        }
        Tensor out = new Tensor(shape, x.f, x.d, false, null);
        int[] inShape = x.shape;
        return Autograd.record(out, "reshape", g -> new Tensor[] {g.reshape(inShape)}, x);
    }

    static Tensor transpose(Tensor x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("t() needs a rank-2 tensor, got " + Shapes.str(x.shape));
        }
        int r = x.shape[0];
        int c = x.shape[1];
        Tensor out = Tensor.alloc(x.dtype(), new int[] {c, r});
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                if (x.f != null) {
                    out.f[j * r + i] = x.f[i * c + j];
                } else {
                    out.d[j * r + i] = x.d[i * c + j];
                }
            }
        }
        return Autograd.record(out, "transpose", g -> new Tensor[] {transpose(g)}, x);
    }

    /** Copies a block [outer, len, inner] out of a tensor viewed as [outer, n, inner]. */
    static Tensor slice(Tensor x, int axis, int start, int end) {
        int a = Shapes.normAxis(axis, x.rank());
        int n = x.shape[a];
        if (start < 0 || end > n || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") out of range for axis " + axis
                    + " of size " + n);
        }
        int[] os = x.shape.clone();
        os[a] = end - start;
        Tensor out = Tensor.alloc(x.dtype(), os);
        int outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= x.shape[i];
        }
        int inner = 1;
        for (int i = a + 1; i < x.rank(); i++) {
            inner *= x.shape[i];
        }
        int len = (end - start) * inner;
        for (int o = 0; o < outer; o++) {
            int src = (o * n + start) * inner;
            int dst = o * len;
            if (x.f != null) {
                System.arraycopy(x.f, src, out.f, dst, len);
            } else {
                System.arraycopy(x.d, src, out.d, dst, len);
            }
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "slice", g -> new Tensor[] {pad(g, a, start, inShape)}, x);
    }

    /** The adjoint of slice: embeds {@code g} at {@code start} along {@code axis} in zeros of {@code full} shape. */
    static Tensor pad(Tensor g, int axis, int start, int[] full) {
        Tensor out = Tensor.alloc(g.dtype(), full.clone());
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= full[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < full.length; i++) {
            inner *= full[i];
        }
        int n = full[axis];
        int len = g.shape[axis] * inner;
        for (int o = 0; o < outer; o++) {
            int dst = (o * n + start) * inner;
            int src = o * len;
            if (g.f != null) {
                System.arraycopy(g.f, src, out.f, dst, len);
            } else {
                System.arraycopy(g.d, src, out.d, dst, len);
            }
        }
        int end = start + g.shape[axis];
        return Autograd.record(out, "pad", gg -> new Tensor[] {slice(gg, axis, start, end)}, g);
    }

    static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat of nothing");
        }
        Tensor first = parts[0];
        int a = Shapes.normAxis(axis, first.rank());
        int total = 0;
        for (Tensor p : parts) {
            Tensor.sameDType(first, p, "concat");
            if (p.rank() != first.rank()) {
                throw new IllegalArgumentException("concat: rank mismatch " + Shapes.str(first.shape) + " vs "
                        + Shapes.str(p.shape));
            }
            for (int i = 0; i < p.rank(); i++) {
                if (i != a && p.shape[i] != first.shape[i]) {
                    throw new IllegalArgumentException("concat along axis " + axis + ": shapes " + Shapes.str(first.shape)
                            + " and " + Shapes.str(p.shape) + " differ elsewhere");
                }
            }
            total += p.shape[a];
        }
        int[] os = first.shape.clone();
        os[a] = total;
        Tensor out = Tensor.alloc(first.dtype(), os);
        int outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= os[i];
        }
        int inner = 1;
        for (int i = a + 1; i < os.length; i++) {
            inner *= os[i];
        }
        int offset = 0;
        int[] starts = new int[parts.length];
        for (int pi = 0; pi < parts.length; pi++) {
            Tensor p = parts[pi];
            starts[pi] = offset;
            int len = p.shape[a] * inner;
            for (int o = 0; o < outer; o++) {
                int src = o * len;
                int dst = (o * total + offset) * inner;
                if (p.f != null) {
                    System.arraycopy(p.f, src, out.f, dst, len);
                } else {
                    System.arraycopy(p.d, src, out.d, dst, len);
                }
            }
            offset += p.shape[a];
        }
        Tensor[] inputs = parts.clone();
        return Autograd.record(out, "concat", g -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int pi = 0; pi < inputs.length; pi++) {
                if (inputs[pi].requiresGrad) {
                    gs[pi] = slice(g, a, starts[pi], starts[pi] + inputs[pi].shape[a]);
                }
            }
            return gs;
        }, inputs);
    }

    static Tensor indexSelect(Tensor x, int[] rows) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("indexSelect of a rank-0 tensor");
        }
        int n = x.shape[0];
        int inner = x.numel() / Math.max(n, 1);
        int[] os = x.shape.clone();
        os[0] = rows.length;
        Tensor out = Tensor.alloc(x.dtype(), os);
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            if (r < 0 || r >= n) {
                throw new IndexOutOfBoundsException("row " + r + " out of range [0, " + n + ")");
            }
            if (x.f != null) {
                System.arraycopy(x.f, r * inner, out.f, i * inner, inner);
            } else {
                System.arraycopy(x.d, r * inner, out.d, i * inner, inner);
            }
        }
        return Autograd.record(out, "index_select", g -> new Tensor[] {indexAdd(g, rows, n)}, x);
    }

    /** The adjoint of indexSelect: adds row i of {@code g} into row rows[i] of zeros with n rows. */
    static Tensor indexAdd(Tensor g, int[] rows, int n) {
        int[] os = g.shape.clone();
        os[0] = n;
        Tensor out = Tensor.alloc(g.dtype(), os);
        int inner = g.numel() / Math.max(rows.length, 1);
        for (int i = 0; i < rows.length; i++) {
            int dst = rows[i] * inner;
            int src = i * inner;
            for (int j = 0; j < inner; j++) {
                if (g.f != null) {
                    out.f[dst + j] += g.f[src + j];
                } else {
                    out.d[dst + j] += g.d[src + j];
                }
            }
        }
        return Autograd.record(out, "index_add", gg -> new Tensor[] {indexSelect(gg, rows)}, g);
    }

    static Tensor gatherLast(Tensor x, int[] index, int k) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("gatherLast of a rank-0 tensor");
        }
        int m = x.shape[x.rank() - 1];
        int lead = m == 0 ? 0 : x.numel() / m;
        if (index.length != lead * k) {
            throw new IllegalArgumentException("gatherLast: index length " + index.length + " != " + lead + " x " + k);
        }
        int[] os = x.shape.clone();
        os[os.length - 1] = k;
        Tensor out = Tensor.alloc(x.dtype(), os);
        for (int r = 0; r < lead; r++) {
            for (int j = 0; j < k; j++) {
                int c = index[r * k + j];
                if (c < 0 || c >= m) {
                    throw new IndexOutOfBoundsException("gather index " + c + " out of range [0, " + m + ")");
                }
                if (x.f != null) {
                    out.f[r * k + j] = x.f[r * m + c];
                } else {
                    out.d[r * k + j] = x.d[r * m + c];
                }
            }
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "gather_last", g -> new Tensor[] {scatterAddLast(g, index, inShape)}, x);
    }

    /** The adjoint of gatherLast. */
    static Tensor scatterAddLast(Tensor g, int[] index, int[] full) {
        Tensor out = Tensor.alloc(g.dtype(), full.clone());
        int m = full[full.length - 1];
        int k = g.shape[g.rank() - 1];
        int lead = k == 0 ? 0 : g.numel() / k;
        for (int r = 0; r < lead; r++) {
            for (int j = 0; j < k; j++) {
                int c = index[r * k + j];
                if (g.f != null) {
                    out.f[r * m + c] += g.f[r * k + j];
                } else {
                    out.d[r * m + c] += g.d[r * k + j];
                }
            }
        }
        return Autograd.record(out, "scatter_add_last", gg -> new Tensor[] {gatherLast(gg, index, k)}, g);
    }

    static Tensor convert(Tensor x, DType dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        Tensor out = dtype == DType.FLOAT64 ? Tensor.wrap(x.shape, x.toDoubleArray()) : Tensor.wrap(x.shape, x.toFloatArray());
        DType orig = x.dtype();
        return Autograd.record(out, "convert", g -> new Tensor[] {convert(g, orig)}, x);
    }

    static int[] copy(int[] a) {
        return Arrays.copyOf(a, a.length);
    }
}
