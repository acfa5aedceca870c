package org.flows4j.fused;

import org.flows4j.kernels.NetKernel;
import org.flows4j.kernels.RowGemm;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * One float32 ReLU network of a coupling layer on row arrays: forward passes that keep every
 * layer's activations, and the backward pass that turns the gradient of the outputs into weight,
 * bias and input gradients, all on the {@link RowGemm} kernels. Holds row-array copies of the
 * network's weights in both orientations, refreshed from its tensors before use.
 *
 * <p>Rows must come sorted by their first input ({@link RowOrder}). A network with one input (the
 * couplings of a 2-D flow) then skips its first two products: h1 = relu(w1 x + b1) switches each unit on or off
 * once as x grows, so z2 = W2 h1 + b2 = alpha x + beta with alpha and beta constant between
 * switches, updated by one column of W2 at each switch; the gradients of W1, b1, W2, b2 and x come
 * from prefix sums over the rows. Linear work in the rows instead of the width squared, the same
 * numbers as the products to rounding.
 */
public final class FusedNet {
    /** Below this width a product runs as dot products along its long dimension. */
    private static final int NARROW = 16;

    final Tensor[] weights;
    final Tensor[] biases;
    /** widths[0] inputs, widths[k + 1] outputs of linear k. */
    final int[] widths;
    /** W as stored, [out][in], and transposed, [in][out]. */
    final float[][][] rows;
    final float[][][] transposed;
    final float[][] bias;
    /** One input and at least two hidden layers: the switch path runs the first two layers. */
    final boolean scalarInput;
    /**
     * Output width the forward product runs at: the last layer's width rounded up to 16 when it is
     * not narrow (zero weights and biases in the padding; the kernels then need no scalar tail).
     */
    final int paddedOut;
    private final float[] paddedBias;
    /**
     * One output on top of a hidden layer that is neither the first nor on the switch path: the
     * backward pass then takes that hidden layer by runs of its units ({@link #headBackward}).
     */
    final boolean runHead;

    public FusedNet(Mlp net) {
        this(net.layers().stream().map(Linear::weight).toArray(Tensor[]::new),
                net.layers().stream().map(Linear::bias).toArray(Tensor[]::new));
    }

    /**
     * A network of these weights ([out, in] each) and biases, read from the tensors themselves at
     * each {@link #refresh}: updates to them are seen.
     */
    FusedNet(Tensor[] weightTensors, Tensor[] biasTensors) {
        int n = weightTensors.length;
        weights = weightTensors.clone();
        biases = biasTensors.clone();
        widths = new int[n + 1];
        rows = new float[n][][];
        transposed = new float[n][][];
        bias = new float[n][];
        widths[0] = weights[0].size(1);
        for (int k = 0; k < n; k++) {
            int out = weights[k].size(0);
            int in = weights[k].size(1);
            if (k > 0 && in != widths[k]) {
                throw new IllegalArgumentException("layer " + k + " expects " + in + " inputs, the layer below gives "
                        + widths[k]);
            }
            widths[k + 1] = out;
            rows[k] = new float[out][in];
            transposed[k] = new float[in][out];
        }
        scalarInput = widths[0] == 1 && n >= 3;
        int last = n - 1;
        runHead = widths[n] == 1 && last - 1 >= (scalarInput ? 2 : 1) && widths[last] >= NARROW
                && widths[last - 1] >= NARROW;
        int out = widths[n];
        paddedOut = out >= NARROW ? (out + 15) / 16 * 16 : out;
        paddedBias = paddedOut != out ? new float[paddedOut] : null;
        if (paddedBias != null) {
            transposed[n - 1] = new float[widths[n - 1]][paddedOut];
        }
        refresh();
    }

    /** True if the network is a float32 ReLU MLP. */
    public static boolean supports(Mlp net) {
        if (net.activation() != Activation.RELU) {
            return false;
        }
        for (Linear l : net.layers()) {
            if (l.weight().dtype() != DType.FLOAT32 || l.weight().rawFloats() == null || l.bias().rawFloats() == null) {
                return false;
            }
        }
        return true;
    }

    /** The weight tensor of linear k, [out, in]. */
    public Tensor weight(int k) {
        return weights[k];
    }

    /** The bias tensor of linear k. */
    public Tensor bias(int k) {
        return biases[k];
    }

    public int linears() {
        return weights.length;
    }

    public int in() {
        return widths[0];
    }

    public int out() {
        return widths[widths.length - 1];
    }

    public int widest() {
        int w = paddedOut;
        for (int x : widths) {
            w = Math.max(w, x);
        }
        return w;
    }

    /** Copies the current weights from the tensors, in the orientations the passes read. */
    public void refresh() {
        for (int k = 0; k < weights.length; k++) {
            float[] w = weights[k].rawFloats();
            int out = widths[k + 1];
            int in = widths[k];
            boolean switched = scalarInput && k < 2;
            boolean needRows = (scalarInput && k == 0) || (!switched && (out < NARROW || in >= NARROW));
            boolean needTransposed = (scalarInput && k == 1) || (!switched && (out >= NARROW || in < NARROW));
            if (needRows) {
                float[][] r = rows[k];
                for (int o = 0; o < out; o++) {
                    System.arraycopy(w, o * in, r[o], 0, in);
                }
            }
            if (needTransposed) {
                // four rows of the transpose at a time: each pass over o reads four neighbours of w
                float[][] t = transposed[k];
                int i = 0;
                for (; i + 4 <= in; i += 4) {
                    float[] t0 = t[i];
                    float[] t1 = t[i + 1];
                    float[] t2 = t[i + 2];
                    float[] t3 = t[i + 3];
                    for (int o = 0; o < out; o++) {
                        int at = o * in + i;
                        t0[o] = w[at];
                        t1[o] = w[at + 1];
                        t2[o] = w[at + 2];
                        t3[o] = w[at + 3];
                    }
                }
                for (; i < in; i++) {
                    float[] ti = t[i];
                    for (int o = 0; o < out; o++) {
                        ti[o] = w[o * in + i];
                    }
                }
            }
            bias[k] = biases[k].rawFloats();
        }
        if (paddedBias != null) {
            int last = weights.length - 1;
            System.arraycopy(biases[last].rawFloats(), 0, paddedBias, 0, widths[last + 1]);
            bias[last] = paddedBias;
        }
    }

    /**
     * Buffers of one pass for up to {@code capacity} rows and networks up to {@code linears}
     * layers of up to {@code widest} units: acts[k] is linear k's output (after ReLU but for the
     * last; unused for linear 0 on the switch path), and the switch path's segments.
     */
    public static final class Work {
        public final float[][][] acts;
        final int capacity;
        final int widest;
        /** Per unit of layer 1: its switch row, and the segment boundary there. */
        final int[] switchRow;
        final int[] unitSegment;
        /** Units ordered by threshold, and the thresholds. */
        final long[] order;
        /** Segments: rows [segStart[s], segStart[s + 1]) share alpha and beta, kept as {alpha, beta} rows. */
        int segments;
        final int[] segStart;
        final float[][][] segAB;
        /** Per segment: sums of g2 x and g2 (backward), then their prefix sums. */
        final float[][] segSumX;
        final float[][] segSum;
        final float[][] prefixX;
        final float[][] prefix;
        /** {@link #headBackward}: one block's sums of g a; the output layer's sums of h (unused). */
        final float[] blockSumX;
        final float[] blockSum;
        /** The rows' inputs (one-input networks), and scratch of the unit gradients. */
        final float[] xv;
        final float[] scratch;
        final float[] unitOut = new float[2];
        final double[] alpha;
        final double[] beta;
        /**
         * {@link #headBackward}: per unit, its runs' sums of g a and of g; the running sums; the row
         * vector of the active units' weights (double, float); all units inactive; switching units;
         * the output gradients.
         */
        final double[][] runSums;
        final double[] runSum1;
        final double[] prefixSum;
        final double[] headRow;
        final float[] headRowF;
        final float[] inactive;
        final int[] switching;
        final float[] headG;
        final boolean[] touched;
        double prefixSum1;
        /**
         * The last hidden layer's switches, recorded by a forward pass for backward
         * (recordSwitches), and the rows they were recorded for (-1: none).
         */
        int switchBlocks;
        int switchRows = -1;
        final int[] switchAt;
        final int[] switchFrom;
        int[] switchUnits;

        public Work(int capacity, int linears, int widest) {
            this.capacity = capacity;
            this.widest = widest;
            acts = new float[linears][capacity][widest];
            switchRow = new int[widest];
            unitSegment = new int[widest];
            order = new long[widest];
            segStart = new int[widest + 2];
            segAB = new float[widest + 1][2][widest];
            segSumX = new float[widest + 1][widest];
            segSum = new float[widest + 1][widest];
            prefixX = new float[widest + 2][widest];
            prefix = new float[widest + 2][widest];
            blockSumX = new float[widest];
            blockSum = new float[widest];
            xv = new float[capacity];
            scratch = new float[2 * widest];
            alpha = new double[widest];
            beta = new double[widest];
            runSums = new double[widest][widest];
            runSum1 = new double[widest];
            prefixSum = new double[widest];
            headRow = new double[widest];
            headRowF = new float[widest];
            inactive = new float[widest];
            switching = new int[widest];
            headG = new float[capacity];
            touched = new boolean[widest];
            switchAt = new int[capacity + 1];
            switchFrom = new int[capacity + 2];
        }
    }

    public Work newWork(int capacity) {
        return new Work(capacity, weights.length, widest());
    }

    /**
     * Forward pass of rows [0, n) of {@code in} (only the first in() columns read), which must be
     * sorted by their first column; outputs in work.acts[linears() - 1].
     */
    public void forward(RowGemm gemm, NetKernel nk, float[][] in, Work work, int n) {
        forward(gemm, nk, in, work, n, false);
    }

    /**
     * As {@link #forward(RowGemm, NetKernel, float[][], Work, int)}; with {@code forBackward} it
     * also notes what {@link #backward} will need that is cheap to find while the activations are
     * fresh in the cache (the switches of the last hidden layer's units, see {@link #headBackward}).
     */
    public void forward(RowGemm gemm, NetKernel nk, float[][] in, Work work, int n, boolean forBackward) {
        work.switchRows = -1;
        float[][][] acts = work.acts;
        int last = weights.length - 1;
        int k = 0;
        float[][] cur = in;
        if (scalarInput) {
            switchForward(nk, in, work, n);
            k = 2;
            cur = acts[1];
        }
        for (; k <= last; k++) {
            int out = widths[k + 1];
            if (out < NARROW) {
                gemm.dots(cur, rows[k], bias[k], false, acts[k], 0, n, widths[k], out);
                if (k < last) {
                    gemm.relu(acts[k], 0, n, out);
                }
            } else {
                gemm.gemmSparse(cur, transposed[k], bias[k], acts[k], 0, n, widths[k], k == last ? paddedOut : out,
                        k < last, null);
            }
            if (forBackward && runHead && k == last - 1) {
                recordSwitches(nk, work, n);
            }
            cur = acts[k];
        }
    }

    /**
     * Segments of the sorted rows between unit switches: unit p of the first layer is on where
     * w1 x + b1 > 0, i.e. above (w1 > 0) or below (w1 < 0) its threshold -b1 / w1; it switches at
     * the first row past its threshold (a row at exactly the threshold contributes w1 x + b1 = 0
     * either way; its gradient through the unit is then one of the two one-sided ones: a rising
     * unit is off there, a falling one on). Each segment gets its alpha and beta (sums over the
     * units on there).
     */
    private void segments(NetKernel nk, float[][] in, Work work, int n) {
        int h1 = widths[1];
        int h2 = widths[2];
        int events = 0;
        for (int p = 0; p < h1; p++) {
            float w = rows[0][p][0];
            float b = bias[0][p];
            if (w == 0f) {
                work.switchRow[p] = b > 0 ? 0 : n; // always on (treated as rising at row 0) or never
                continue;
            }
            float t = -b / w;
            int bits = Float.floatToRawIntBits(t);
            int key = bits ^ ((bits >> 31) & 0x7fffffff);
            work.order[events++] = ((long) key << 32) | p;
        }
        java.util.Arrays.sort(work.order, 0, events);
        double[] alpha = work.alpha;
        double[] beta = work.beta;
        for (int o = 0; o < h2; o++) {
            alpha[o] = 0;
            beta[o] = bias[1][o];
        }
        int r = 0;
        for (int e = 0; e < events; e++) {
            int p = (int) work.order[e];
            float t = -bias[0][p] / rows[0][p][0];
            while (r < n && !(in[r][0] > t)) {
                r++;
            }
            work.switchRow[p] = r;
        }
        for (int p = 0; p < h1; p++) {
            boolean rising = rows[0][p][0] >= 0;
            int sr = work.switchRow[p];
            if (rising ? sr == 0 : sr > 0) {
                addUnit(nk, p, 1, alpha, beta);
            }
        }
        // walk the switches in row order, closing a segment at each new switch row inside (0, n)
        int seg = 0;
        work.segStart[0] = 0;
        storeSegment(nk, work, 0, h2);
        for (int e = 0; e < events; e++) {
            int p = (int) work.order[e];
            int sr = work.switchRow[p];
            if (sr <= 0 || sr >= n) {
                work.unitSegment[p] = sr <= 0 ? 0 : -1;
                continue;
            }
            if (sr != work.segStart[seg]) {
                seg++;
                work.segStart[seg] = sr;
            }
            work.unitSegment[p] = seg;
            addUnit(nk, p, rows[0][p][0] >= 0 ? 1 : -1, alpha, beta);
            storeSegment(nk, work, seg, h2);
        }
        work.segments = seg + 1;
        work.segStart[seg + 1] = n;
        for (int p = 0; p < h1; p++) {
            if (work.switchRow[p] >= n || (rows[0][p][0] == 0f && work.switchRow[p] == n)) {
                work.unitSegment[p] = work.segments; // boundary at the end
            } else if (work.switchRow[p] <= 0) {
                work.unitSegment[p] = 0;
            }
        }
    }

    private static void storeSegment(NetKernel nk, Work work, int seg, int h2) {
        nk.toFloats(work.alpha, work.segAB[seg][0], h2);
        nk.toFloats(work.beta, work.segAB[seg][1], h2);
    }

    /**
     * alpha += sign w1[p] W2[:, p], beta += sign b1[p] W2[:, p]: the products of two floats, exact
     * in double, then the sums.
     */
    private void addUnit(NetKernel nk, int p, int sign, double[] alpha, double[] beta) {
        nk.addUnit(rows[0][p][0], bias[0][p], transposed[1][p], sign > 0, alpha, beta, widths[2]);
    }

    /** The first two layers by segments: acts[1] = relu([x, 1] . {alpha, beta}) per segment. */
    private void switchForward(NetKernel nk, float[][] in, Work work, int n) {
        segments(nk, in, work, n);
        int h2 = widths[2];
        for (int r = 0; r < n; r++) {
            work.xv[r] = in[r][0];
        }
        float[][] h = work.acts[1];
        for (int sg = 0; sg < work.segments; sg++) {
            float[][] ab = work.segAB[sg];
            nk.affineRelu(work.xv, ab[0], ab[1], h, work.segStart[sg], work.segStart[sg + 1], h2);
        }
    }

    /** Gradient buffers (weights [out][in] and [in][out] scratch), one set per network. */
    public static final class Grads {
        final float[][][] dW;
        final float[][][] dWt;
        final float[][] db;

        public Grads(FusedNet net) {
            int n = net.weights.length;
            dW = new float[n][][];
            dWt = new float[n][][];
            db = new float[n][];
            for (int k = 0; k < n; k++) {
                dW[k] = new float[net.widths[k + 1]][net.widths[k]];
                dWt[k] = new float[net.widths[k]][net.widths[k + 1]];
                db[k] = new float[net.widths[k + 1]];
            }
        }
    }

    /**
     * Backward pass of rows [0, n) after {@link #forward(RowGemm, NetKernel, float[][], Work, int,
     * boolean) forward(..., forBackward = true)} on the same rows: {@code g} holds
     * dL/d(outputs) and is overwritten (as is {@code other}, a scratch of the widest width); writes
     * the weight and bias gradients into {@code grads} (replacing them) and dL/d(inputs) into
     * {@code gIn} (replacing, in() columns).
     */
    public void backward(RowGemm gemm, NetKernel nk, float[][] in, Work work, float[][] g, float[][] other, float[][] gIn,
            Grads grads, int n) {
        float[][][] acts = work.acts;
        int stop = scalarInput ? 2 : 0;
        int last = weights.length - 1;
        int k0 = last;
        if (runHead) {
            if (work.switchRows != n) {
                throw new IllegalStateException("backward of " + n + " rows needs forward(..., forBackward = true) on them");
            }
            headBackward(nk, work, g, other, grads, n);
            float[][] t = g;
            g = other;
            other = t;
            k0 = last - 2;
        }
        for (int k = k0; k >= stop; k--) {
            float[][] input = k == 0 ? in : acts[k - 1];
            int inW = widths[k];
            int outW = widths[k + 1];
            if (inW < NARROW) {
                gemm.gemm(true, input, g, null, false, grads.dWt[k], 0, inW, n, outW);
                for (int q = 0; q < inW; q++) {
                    for (int o = 0; o < outW; o++) {
                        grads.dW[k][o][q] = grads.dWt[k][q][o];
                    }
                }
            } else {
                gemm.gemm(true, g, input, null, false, grads.dW[k], 0, outW, n, inW);
            }
            nk.columnSum(g, n, grads.db[k], outW);
            float[][] target = k == 0 ? gIn : other;
            if (inW < NARROW) {
                gemm.dots(g, transposed[k], null, false, target, 0, n, outW, inW);
                if (k > 0) {
                    gemm.reluMask(acts[k - 1], target, 0, n, inW);
                }
            } else {
                gemm.gemmSparse(g, rows[k], null, target, 0, n, outW, inW, false, k > 0 ? acts[k - 1] : null);
            }
            if (k > 0) {
                float[][] t = g;
                g = other;
                other = t;
            }
        }
        if (scalarInput) {
            switchBackward(gemm, nk, work, g, gIn, grads, n);
        }
    }

    /**
     * The gradients of the output layer and of the last hidden layer below it when that output is
     * one number w . h + c (k = linears() - 2,
     * units h = relu(z), inputs a = acts[k - 1], rows [0, n), output gradients {@code gOut[r][0]}):
     * dL/dz[r][o] = gOut[r] w[o] on rows where unit o is active, so
     * dW[o] = w[o] (sum over o's active rows of gOut[r] a[r]), a difference of running sums at the
     * ends of each run of active rows (few for rows sorted by the input), and
     * dL/da[r] = gOut[r] (sum over the active units of w[o] W[o]), a vector updated when a unit
     * switches. Work linear in the rows and switches instead of two products of the width squared
     * per row. The rows between two switches are summed in float, the running sums and the row
     * vector kept in double (no cancellation from the differences of running sums). Writes
     * dL/d(the layer below's pre-activations) into {@code target}.
     */
    private void headBackward(NetKernel nk, Work work, float[][] gOut, float[][] target, Grads grads, int n) {
        int k = weights.length - 2;
        int units = widths[k + 1];
        int inW = widths[k];
        float[][] a = work.acts[k - 1];
        float[][] h = work.acts[k];
        float[] g = work.headG;
        float g1 = 0;
        for (int r = 0; r < n; r++) {
            g[r] = gOut[r][0];
            g1 += g[r];
        }
        // the output layer: dW = sum of g h over the rows, db = sum of g
        nk.columnSums(h, g, 0, n, grads.dW[k + 1][0], work.blockSum, units);
        grads.db[k + 1][0] = g1;
        java.util.Arrays.fill(work.prefixSum, 0, inW, 0.0);
        java.util.Arrays.fill(work.headRow, 0, inW, 0.0);
        java.util.Arrays.fill(work.headRowF, 0, inW, 0f);
        java.util.Arrays.fill(work.touched, 0, units, false);
        work.prefixSum1 = 0;
        // blocks of rows between switches share the active units: their sums go into the running
        // sums at the block's end, where the units that switch open or close their runs
        int r0 = 0;
        for (int b = 0; b < work.switchBlocks; b++) {
            int r = work.switchAt[b];
            if (r > r0) {
                headBlock(nk, work, a, g, target, r0, r, inW);
            }
            r0 = r;
            headSwitches(nk, work, work.switchFrom[b], work.switchFrom[b + 1], k, inW);
        }
        if (n > r0) {
            headBlock(nk, work, a, g, target, r0, n, inW);
        }
        float[] w = rows[k + 1][0];
        float[][] dW = grads.dW[k];
        float[] db = grads.db[k];
        for (int o = 0; o < units; o++) {
            float[] d = dW[o];
            if (!work.touched[o]) { // never active
                java.util.Arrays.fill(d, 0, inW, 0f);
                db[o] = 0f;
                continue;
            }
            // the sums rounded to float, then times w
            float wo = w[o];
            nk.toFloats(work.runSums[o], d, inW);
            for (int j = 0; j < inW; j++) {
                d[j] *= wo;
            }
            db[o] = wo * (float) work.runSum1[o];
        }
    }

    /** Rows [r0, r1) of {@link #headBackward}: their input gradients, and their sums into the running sums. */
    private static void headBlock(NetKernel nk, Work work, float[][] a, float[] g, float[][] target, int r0, int r1,
            int inW) {
        nk.scaledRowsAndSums(g, work.headRowF, a, target, r0, r1, inW, work.blockSumX);
        double s1 = 0;
        for (int q = r0; q < r1; q++) {
            s1 += g[q];
        }
        work.prefixSum1 += s1;
        nk.addScaled(1f, work.blockSumX, work.prefixSum, inW);
    }

    /**
     * The recorded switches [e0, e1) of one row ({@link #recordSwitches}): each unit opens its run
     * (subtracting the running sums; its first run sets them) or closes it (adding them), and enters
     * or leaves the row vector.
     */
    private void headSwitches(NetKernel nk, Work work, int e0, int e1, int k, int inW) {
        double[] sum = work.prefixSum;
        double sum1 = work.prefixSum1;
        float[] w = rows[k + 1][0];
        for (int e = e0; e < e1; e++) {
            int code = work.switchUnits[e];
            boolean starts = code >= 0;
            int o = starts ? code : ~code;
            double[] ro = work.runSums[o];
            if (!work.touched[o]) { // a unit's first switch opens its first run
                work.touched[o] = true;
                for (int j = 0; j < inW; j++) {
                    ro[j] = -sum[j];
                }
                work.runSum1[o] = -sum1;
            } else if (starts) {
                for (int j = 0; j < inW; j++) {
                    ro[j] -= sum[j];
                }
                work.runSum1[o] -= sum1;
            } else {
                for (int j = 0; j < inW; j++) {
                    ro[j] += sum[j];
                }
                work.runSum1[o] += sum1;
            }
            nk.addScaled(starts ? w[o] : -w[o], rows[k][o], work.headRow, inW);
        }
        nk.toFloats(work.headRow, work.headRowF, inW);
    }

    /**
     * The switches of the last hidden layer's units over rows [0, n] (all inactive before row 0
     * and at row n): block b's units switch at row switchAt[b], listed in
     * switchUnits[switchFrom[b], switchFrom[b + 1]) as o (becomes active) or ~o (inactive).
     */
    private void recordSwitches(NetKernel nk, Work work, int n) {
        int units = widths[widths.length - 2];
        float[][] h = work.acts[weights.length - 2];
        if (work.switchUnits == null || work.switchUnits.length < (n + 1) * units) {
            work.switchUnits = new int[(n + 1) * units];
        }
        int[] at = work.switchAt;
        int[] from = work.switchFrom;
        int[] list = work.switchUnits;
        int[] sw = work.switching;
        float[] before = work.inactive;
        int blocks = 0;
        int events = 0;
        for (int r = 0; r <= n; r++) {
            float[] now = r < n ? h[r] : work.inactive;
            int c = nk.switches(before, now, units, sw);
            before = now;
            if (c == 0) {
                continue;
            }
            at[blocks] = r;
            from[blocks++] = events;
            for (int e = 0; e < c; e++) {
                int o = sw[e];
                list[events++] = now[o] > 0 ? o : ~o;
            }
        }
        from[blocks] = events;
        work.switchBlocks = blocks;
        work.switchRows = n;
    }

    /**
     * The first two layers' gradients from g2 = dL/dz2 (rows [0, n), after {@link #forward} on the
     * same rows): dL/dx = g2 . alpha of the row's segment; dW2[:, p], dW1[p] and db1[p] from the
     * sums of g2 x and g2 over the rows where unit p is on (the segments before or after its switch),
     * taken from per-segment sums.
     */
    private void switchBackward(RowGemm gemm, NetKernel nk, Work work, float[][] g2, float[][] gIn, Grads grads, int n) {
        int h1 = widths[1];
        int h2 = widths[2];
        int segs = work.segments;
        for (int sg = 0; sg < segs; sg++) {
            int r0 = work.segStart[sg];
            int r1 = work.segStart[sg + 1];
            gemm.dots(g2, work.segAB[sg], null, false, gIn, r0, r1, h2, 1);
            nk.columnSums(g2, work.xv, r0, r1, work.segSumX[sg], work.segSum[sg], h2);
        }
        float[][] px = work.prefixX;
        float[][] p1 = work.prefix;
        java.util.Arrays.fill(px[0], 0, h2, 0f);
        java.util.Arrays.fill(p1[0], 0, h2, 0f);
        for (int sg = 0; sg < segs; sg++) {
            float[] a = px[sg];
            float[] b = p1[sg];
            float[] a1 = px[sg + 1];
            float[] b1 = p1[sg + 1];
            float[] sx = work.segSumX[sg];
            float[] s1 = work.segSum[sg];
            for (int o = 0; o < h2; o++) {
                a1[o] = a[o] + sx[o];
                b1[o] = b[o] + s1[o];
            }
        }
        float[][] dW2t = grads.dWt[1];
        float[][] dW1 = grads.dW[0];
        float[] db1 = grads.db[0];
        for (int p = 0; p < h1; p++) {
            float w = rows[0][p][0];
            float b = bias[0][p];
            int bound = work.unitSegment[p];
            int lo = w >= 0 ? bound : 0;
            int hi = w >= 0 ? segs : bound;
            float[] dst = dW2t[p];
            if (lo >= hi) {
                java.util.Arrays.fill(dst, 0, h2, 0f);
                dW1[p][0] = 0f;
                db1[p] = 0f;
                continue;
            }
            nk.unitGradient(w, b, px[hi], px[lo], p1[hi], p1[lo], transposed[1][p], dst, work.scratch, work.unitOut, h2);
            dW1[p][0] = work.unitOut[0];
            db1[p] = work.unitOut[1];
        }
        float[] db2 = grads.db[1];
        System.arraycopy(p1[segs], 0, db2, 0, h2);
    }

    /**
     * Adds the gradients into flat arrays laid out as the tensors: W row-major [out * in], then b.
     * (The switch path leaves its second layer's weight gradient transposed, [in][out], in dWt.)
     */
    public void addInto(Grads grads, float[][] weightGrads, float[][] biasGrads) {
        writeInto(grads, weightGrads, biasGrads, false);
    }

    /** As {@link #addInto}, but the arrays' contents are replaced (no zeroing needed before). */
    public void copyInto(Grads grads, float[][] weightGrads, float[][] biasGrads) {
        writeInto(grads, weightGrads, biasGrads, true);
    }

    private void writeInto(Grads grads, float[][] weightGrads, float[][] biasGrads, boolean replace) {
        for (int k = 0; k < weights.length; k++) {
            float[] gw = weightGrads[k];
            int in = widths[k];
            int out = widths[k + 1];
            if (scalarInput && k == 1) {
                for (int p = 0; p < in; p++) {
                    float[] col = grads.dWt[1][p];
                    int at = p;
                    if (replace) {
                        for (int o = 0; o < out; o++, at += in) {
                            gw[at] = col[o];
                        }
                    } else {
                        for (int o = 0; o < out; o++, at += in) {
                            gw[at] += col[o];
                        }
                    }
                }
            } else {
                for (int o = 0; o < out; o++) {
                    float[] row = grads.dW[k][o];
                    int base = o * in;
                    if (replace) {
                        System.arraycopy(row, 0, gw, base, in);
                    } else {
                        for (int q = 0; q < in; q++) {
                            gw[base + q] += row[q];
                        }
                    }
                }
            }
            float[] gb = biasGrads[k];
            if (replace) {
                System.arraycopy(grads.db[k], 0, gb, 0, out);
            } else {
                for (int o = 0; o < out; o++) {
                    gb[o] += grads.db[k][o];
                }
            }
        }
    }
}
