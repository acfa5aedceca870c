package org.flows4j.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major, n-dimensional array of float32 or float64 values, with reverse-mode
 * automatic differentiation ({@link Autograd}).
 *
 * <p>Tensors are values: every op returns a new tensor and leaves its inputs alone. The one
 * exception is a trainable parameter, whose backing array an optimizer updates in place
 * ({@link #rawFloats()}, {@link #rawDoubles()}).
 */
public final class Tensor {
    final int[] shape;
    final float[] f;
    final double[] d;
    final boolean requiresGrad;
    final Autograd.Node node;

    Tensor(int[] shape, float[] f, double[] d, boolean requiresGrad, Autograd.Node node) {
        this.shape = shape;
        this.f = f;
        this.d = d;
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    static Tensor wrap(int[] shape, float[] data) {
        return new Tensor(shape, data, null, false, null);
    }

    static Tensor wrap(int[] shape, double[] data) {
        return new Tensor(shape, null, data, false, null);
    }

    static Tensor alloc(DType dtype, int[] shape) {
        int n = Shapes.numel(shape);
        return dtype == DType.FLOAT32 ? wrap(shape, new float[n]) : wrap(shape, new double[n]);
    }

    // ------------------------------------------------------------------ creation

    /** A float32 tensor holding a copy of {@code data}, with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        checkLength(data.length, shape);
        return wrap(shape.clone(), data.clone());
    }

    /** A float64 tensor holding a copy of {@code data}, with the given shape. */
    public static Tensor of(double[] data, int... shape) {
        checkLength(data.length, shape);
        return wrap(shape.clone(), data.clone());
    }

    /** A tensor of the given dtype holding {@code data} (converted), with the given shape. */
    public static Tensor of(DType dtype, double[] data, int... shape) {
        checkLength(data.length, shape);
        if (dtype == DType.FLOAT64) {
            return wrap(shape.clone(), data.clone());
        }
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (float) data[i];
        }
        return wrap(shape.clone(), out);
    }

    /** A [rows, columns] tensor of the given dtype from a rectangular array of rows. */
    public static Tensor fromRows(DType dtype, double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows");
        }
        int d = rows[0].length;
        double[] flat = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + d);
            }
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return of(dtype, flat, rows.length, d);
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(double value, DType dtype) {
        return full(dtype, value);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return alloc(dtype, shape.clone());
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = alloc(dtype, shape.clone());
        if (t.f != null) {
            Arrays.fill(t.f, (float) value);
        } else {
            Arrays.fill(t.d, value);
        }
        return t;
    }

    public static Tensor zerosLike(Tensor t) {
        return alloc(t.dtype(), t.shape.clone());
    }

    /** Standard normal entries. */
    public static Tensor randn(Rng rng, DType dtype, int... shape) {
        Tensor t = alloc(dtype, shape.clone());
        if (t.f != null) {
            rng.fillGaussian(t.f);
        } else {
            rng.fillGaussian(t.d);
        }
        return t;
    }

    /** Entries uniform in [lo, hi). */
    public static Tensor uniform(Rng rng, DType dtype, double lo, double hi, int... shape) {
        Tensor t = alloc(dtype, shape.clone());
        int n = t.numel();
        for (int i = 0; i < n; i++) {
            double u = lo + (hi - lo) * rng.nextDouble();
            if (t.f != null) {
                t.f[i] = (float) u;
            } else {
                t.d[i] = u;
            }
        }
        return t;
    }

    private static void checkLength(int length, int[] shape) {
        if (Shapes.numel(shape) != length) {
            throw new IllegalArgumentException("data of length " + length + " does not fit shape " + Shapes.str(shape));
        }
    }

    // ------------------------------------------------------------------ properties

    public DType dtype() {
        return f != null ? DType.FLOAT32 : DType.FLOAT64;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size along {@code axis} (negative counts from the end). */
    public int size(int axis) {
        return shape[Shapes.normAxis(axis, shape.length)];
    }

    public int numel() {
        return f != null ? f.length : d.length;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** True for a tensor that requires a gradient and is not the result of an op (a parameter). */
    public boolean isLeaf() {
        return node == null;
    }

    /** A leaf that shares this tensor's data and requires a gradient. */
    public Tensor requireGrad() {
        return new Tensor(shape, f, d, true, null);
    }

    /** A fresh copy of this tensor's data, cut off from the graph. */
    public Tensor copy() {
        return f != null ? wrap(shape.clone(), f.clone()) : wrap(shape.clone(), d.clone());
    }

    /** This tensor's data, cut off from the graph. */
    public Tensor detach() {
        return requiresGrad ? new Tensor(shape, f, d, false, null) : this;
    }

    /** Element at a flat row-major index, as a double. */
    public double getFlat(int i) {
        return f != null ? f[i] : d[i];
    }

    /** Element at a multi-index, as a double. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index rank " + index.length + " != tensor rank " + shape.length);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape " + Shapes.str(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return getFlat(flat);
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() of a tensor with " + numel() + " elements");
        }
        return getFlat(0);
    }

    /** A copy of the data as doubles. */
    public double[] toDoubleArray() {
        if (d != null) {
            return d.clone();
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** A copy of the data as floats. */
    public float[] toFloatArray() {
        if (f != null) {
            return f.clone();
        }
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /**
     * The live float32 backing array (null for float64). For optimizers and fused kernels only:
     * writing to it changes this tensor and every tensor sharing its data.
     */
    public float[] rawFloats() {
        return f;
    }

    /** The live float64 backing array (null for float32); see {@link #rawFloats()}. */
    public double[] rawDoubles() {
        return d;
    }

    /** True if every element is finite. */
    public boolean allFinite() {
        int n = numel();
        for (int i = 0; i < n; i++) {
            double v = getFlat(i);
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ elementwise (broadcasting)

    public Tensor add(Tensor o) {
        return Elementwise.binary(this, o, Elementwise.Bin.ADD);
    }

    public Tensor sub(Tensor o) {
        return Elementwise.binary(this, o, Elementwise.Bin.SUB);
    }

    public Tensor mul(Tensor o) {
        return Elementwise.binary(this, o, Elementwise.Bin.MUL);
    }

    public Tensor div(Tensor o) {
        return Elementwise.binary(this, o, Elementwise.Bin.DIV);
    }

    /** Elementwise maximum (the gradient goes to the larger input; ties to this one). */
    public Tensor maximum(Tensor o) {
        return Elementwise.binary(this, o, Elementwise.Bin.MAX);
    }

    /** Elementwise minimum (the gradient goes to the smaller input; ties to this one). */
    public Tensor minimum(Tensor o) {
        return Elementwise.binary(this, o, Elementwise.Bin.MIN);
    }

    public Tensor add(double c) {
        return add(scalar(c, dtype()));
    }

    public Tensor sub(double c) {
        return sub(scalar(c, dtype()));
    }

    public Tensor mul(double c) {
        return mul(scalar(c, dtype()));
    }

    public Tensor div(double c) {
        return div(scalar(c, dtype()));
    }

    /** {@code c - this}. */
    public Tensor rsub(double c) {
        return scalar(c, dtype()).sub(this);
    }

    public Tensor neg() {
        return Elementwise.unary(this, Elementwise.Un.NEG);
    }

    public Tensor exp() {
        return Elementwise.unary(this, Elementwise.Un.EXP);
    }

    public Tensor log() {
        return Elementwise.unary(this, Elementwise.Un.LOG);
    }

    public Tensor tanh() {
        return Elementwise.unary(this, Elementwise.Un.TANH);
    }

    public Tensor sigmoid() {
        return Elementwise.unary(this, Elementwise.Un.SIGMOID);
    }

    /** log(1 + exp(x)), computed stably. */
    public Tensor softplus() {
        return Elementwise.unary(this, Elementwise.Un.SOFTPLUS);
    }

    public Tensor relu() {
        return Elementwise.unary(this, Elementwise.Un.RELU);
    }

    public Tensor sqrt() {
        return Elementwise.unary(this, Elementwise.Un.SQRT);
    }

    public Tensor square() {
        return Elementwise.unary(this, Elementwise.Un.SQUARE);
    }

    public Tensor abs() {
        return Elementwise.unary(this, Elementwise.Un.ABS);
    }

    public Tensor sin() {
        return Elementwise.unary(this, Elementwise.Un.SIN);
    }

    public Tensor cos() {
        return Elementwise.unary(this, Elementwise.Un.COS);
    }

    /** {@code this ^ p} for a constant exponent. */
    public Tensor pow(double p) {
        return Elementwise.pow(this, p);
    }

    /** {@code cond ? a : b} elementwise, with broadcasting; {@code cond} is a 0/1 mask (non-zero = true). */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    /** A 0/1 mask (same dtype, no gradient): {@code this > o}. */
    public Tensor gt(Tensor o) {
        return Elementwise.compare(this, o, Elementwise.Cmp.GT);
    }

    /** A 0/1 mask (same dtype, no gradient): {@code this >= o}. */
    public Tensor ge(Tensor o) {
        return Elementwise.compare(this, o, Elementwise.Cmp.GE);
    }

    /** A 0/1 mask (same dtype, no gradient): {@code this < o}. */
    public Tensor lt(Tensor o) {
        return Elementwise.compare(this, o, Elementwise.Cmp.LT);
    }

    public Tensor gt(double c) {
        return gt(scalar(c, dtype()));
    }

    public Tensor lt(double c) {
        return lt(scalar(c, dtype()));
    }

    // ------------------------------------------------------------------ reductions

    /** Sum of all elements (rank 0). */
    public Tensor sum() {
        return Reduce.sumAll(this);
    }

    /** Sum along {@code axis}. */
    public Tensor sum(int axis, boolean keepDim) {
        return Reduce.sum(this, axis, keepDim);
    }

    /** Mean of all elements (rank 0). */
    public Tensor mean() {
        return sum().mul(1.0 / numel());
    }

    /** Mean along {@code axis}. */
    public Tensor mean(int axis, boolean keepDim) {
        return sum(axis, keepDim).mul(1.0 / size(axis));
    }

    /** Maximum along {@code axis} (gradient to the first maximal element). */
    public Tensor max(int axis, boolean keepDim) {
        return Reduce.max(this, axis, keepDim);
    }

    /** log(sum(exp(x))) along {@code axis}, computed stably. */
    public Tensor logSumExp(int axis, boolean keepDim) {
        Tensor m = max(axis, true).detach();
        Tensor s = sub(m).exp().sum(axis, true).log().add(m);
        return keepDim ? s : s.squeeze(axis);
    }

    /** Sums broadcast axes away so the result has {@code target} shape (the adjoint of broadcasting). */
    public Tensor sumTo(int... target) {
        return Reduce.sumTo(this, target.clone());
    }

    /** Broadcasts to {@code target} shape (a copy). */
    public Tensor broadcastTo(int... target) {
        return Reduce.broadcastTo(this, target.clone());
    }

    // ------------------------------------------------------------------ linear algebra

    /** Matrix product of two rank-2 tensors. */
    public Tensor matmul(Tensor o) {
        return MatMul.mm(this, o, false, false);
    }

    /** {@code op(a) @ op(b)} where op transposes when asked: the fused form used by Linear layers. */
    public static Tensor mm(Tensor a, Tensor b, boolean transA, boolean transB) {
        return MatMul.mm(a, b, transA, transB);
    }

    /** Transpose of a rank-2 tensor. */
    public Tensor t() {
        return Indexing.transpose(this);
    }

    // ------------------------------------------------------------------ shape and indexing

    /** Same data, new shape (one dimension may be -1). */
    public Tensor reshape(int... newShape) {
        return Indexing.reshape(this, newShape.clone());
    }

    /** Removes a size-1 axis. */
    public Tensor squeeze(int axis) {
        int a = Shapes.normAxis(axis, shape.length);
        if (shape[a] != 1) {
            throw new IllegalArgumentException("cannot squeeze axis " + axis + " of size " + shape[a]);
        }
        int[] ns = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != a) {
                ns[j++] = shape[i];
            }
        }
        return reshape(ns);
    }

    /** Inserts a size-1 axis at {@code axis}. */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + shape.length + 1 : axis;
        if (a < 0 || a > shape.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for unsqueeze of rank " + shape.length);
        }
        int[] ns = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            ns[i] = i == a ? 1 : shape[j++];
        }
        return reshape(ns);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code axis}. */
    public Tensor slice(int axis, int start, int end) {
        return Indexing.slice(this, axis, start, end);
    }

    /** Concatenation along {@code axis}. */
    public static Tensor concat(int axis, Tensor... parts) {
        return Indexing.concat(axis, parts);
    }

    /** Rows (entries along axis 0) at the given indices, repeats allowed. */
    public Tensor indexSelect(int[] rows) {
        return Indexing.indexSelect(this, rows.clone());
    }

    /**
     * Gathers along the last axis: for a tensor of shape [..., m] and {@code index} holding k
     * indices per leading position (length = prod(leading) * k), returns shape [..., k] with
     * {@code out[..., j] = this[..., index[..., j]]}.
     */
    public Tensor gatherLast(int[] index, int k) {
        return Indexing.gatherLast(this, index.clone(), k);
    }

    /** Converts to another dtype (differentiable). */
    public Tensor to(DType dtype) {
        return Indexing.convert(this, dtype);
    }

    // ------------------------------------------------------------------ misc

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype()).append(' ').append(Shapes.str(shape));
        int n = Math.min(numel(), 8);
        sb.append(" [");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(getFlat(i));
        }
        if (numel() > n) {
            sb.append(", ...");
        }
        sb.append("]").append(requiresGrad ? " grad" : "").append(')');
        return sb.toString();
    }

    static void sameDType(Tensor a, Tensor b, String op) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtype mismatch " + a.dtype() + " vs " + b.dtype()
                    + " (convert one with .to(dtype))");
        }
    }

    static Tensor req(Tensor t, String name) {
        return Objects.requireNonNull(t, name);
    }
}
