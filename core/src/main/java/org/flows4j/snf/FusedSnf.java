package org.flows4j.snf;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.energy.Energy;
import org.flows4j.kernels.RowGemm;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.stochastic.MetropolisMC;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.RationalQuadraticSpline;
import org.flows4j.transforms.ScaledTanhAffineTransformer;
import org.flows4j.transforms.Transform;

/**
 * A fused float32 training step for stochastic normalizing flows built of {@link SplitCoupling}
 * layers (the paper's affine couplings or rational-quadratic splines, ReLU networks) and
 * {@link MetropolisMC} blocks over a standard normal base (what {@link SnfBuilder} makes with
 * Metropolis or no stochastic blocks): J_ML and J_KL and their gradients with a hand-written
 * backward pass on reused buffers, instead of a graph of a few thousand tensor operations per
 * step. The networks run on the row kernels ({@link RowGemm}); transformers, energies and losses in
 * double precision.
 *
 * <p>It computes what the autodiff path computes (tests hold it to that, to float32 rounding): the
 * same random draws in the same order (minibatch indices and base samples from the trainer's
 * generator, proposals and accept decisions from each Metropolis block's own; the proposals'
 * normals in vectorised blocks, {@link Rng#fillGaussianFast}), gradients through the kept
 * positions and the energies of the Metropolis blocks (the accept decisions carry none), trainable
 * step sizes included.
 */
public final class FusedSnf {
    /** Below this width a product runs as dot products along its long dimension. */
    private static final int NARROW = 16;

    private final int dim;
    private final Energy prior;
    private final Energy target;
    /** flows4j order: data to base. */
    private final List<Layer> layers;
    private final List<Tensor> params;
    private final List<Tensor> grads = new ArrayList<>();
    /** Each parameter's gradient array (the backing arrays of {@link #grads}). */
    private final Map<Tensor, float[]> gradientArrays = new IdentityHashMap<>();
    private Buffers buf;

    private FusedSnf(BoltzmannGenerator bg, List<Layer> layers) {
        this.dim = bg.dim();
        this.prior = bg.prior();
        this.target = bg.target();
        this.layers = layers;
        this.params = bg.parameters();
        for (Tensor p : params) {
            Tensor g = Tensor.zeros(DType.FLOAT32, p.shape());
            grads.add(g);
            gradientArrays.put(p, g.rawFloats());
        }
    }

    /** The fused step for {@code bg}, if its structure is supported (float32; see the class comment). */
    public static Optional<FusedSnf> of(BoltzmannGenerator bg) {
        return of(bg, RowGemm.best());
    }

    static Optional<FusedSnf> of(BoltzmannGenerator bg, RowGemm gemm) {
        if (bg.flow().dtype() != DType.FLOAT32 || !(bg.flow().base() instanceof StandardNormal)) {
            return Optional.empty();
        }
        List<Transform> parts = new ArrayList<>();
        Transform t = bg.transform();
        if (t instanceof Composite c) {
            for (Transform p : c.parts()) {
                if (p instanceof Composite) {
                    return Optional.empty();
                }
                parts.add(p);
            }
        } else {
            parts.add(t);
        }
        List<Layer> ls = new ArrayList<>();
        for (Transform p : parts) {
            if (p instanceof SplitCoupling c && supported(c)) {
                ls.add(new Coupling(c, gemm));
            } else if (p instanceof MetropolisMC m && m.dim() == bg.dim()) {
                ls.add(new Mc(m));
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new FusedSnf(bg, ls));
    }

    private static boolean supported(SplitCoupling c) {
        boolean transformer = c.transformer() instanceof RationalQuadraticSpline
                || c.transformer() instanceof ScaledTanhAffineTransformer;
        if (!transformer) {
            return false;
        }
        for (Mlp m : c.nets()) {
            if (m.activation() != Activation.RELU) {
                return false;
            }
            for (Linear l : m.layers()) {
                if (l.weight().dtype() != DType.FLOAT32 || l.bias().dtype() != DType.FLOAT32) {
                    return false;
                }
            }
        }
        if (c.transformer() instanceof ScaledTanhAffineTransformer a && a.logAlpha().dtype() != DType.FLOAT32) {
            return false;
        }
        return true;
    }

    /** The gradient tensors {@link #step} fills, in the order of the generator's parameters. */
    public List<Tensor> gradients() {
        return grads;
    }

    /** A step's loss (w_ml J_ML + w_kl J_KL) / (w_ml + w_kl) and its parts (NaN when not computed). */
    public record Losses(double loss, double ml, double kl) {}

    /**
     * One training step: J_ML on {@code batch} rows of {@code data} drawn with replacement (when
     * mlWeight > 0), then J_KL on {@code batch} fresh prior samples (when klWeight > 0), drawing
     * from {@code rng} exactly as {@link BoltzmannGenerator#mlLoss} and
     * {@link BoltzmannGenerator#klLoss} do; fills {@link #gradients()} with the mixed loss's.
     */
    public Losses step(Tensor data, double mlWeight, double klWeight, int batch, Rng rng) {
        double total = mlWeight + klWeight;
        if (buf == null || buf.capacity < batch) {
            buf = new Buffers(batch);
        }
        for (Layer l : layers) {
            l.begin(batch);
        }
        double ml = Double.NaN;
        double kl = Double.NaN;
        double loss = 0;
        if (mlWeight > 0) {
            int[] idx = rng.randint(data.size(0), batch);
            float[] src = data.dtype() == DType.FLOAT32 ? data.rawFloats() : data.toFloatArray();
            float[][] x = buf.pos[0];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(src, idx[i] * dim, x[i], 0, dim);
            }
            ml = pass(batch, true, mlWeight / total);
            loss += mlWeight / total * ml;
        }
        if (klWeight > 0) {
            float[] z = new float[batch * dim];
            rng.fillGaussian(z);
            float[][] x = buf.pos[0];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(z, i * dim, x[i], 0, dim);
            }
            kl = pass(batch, false, klWeight / total);
            loss += klWeight / total * kl;
        }
        for (Layer l : layers) {
            l.finish(gradientArrays);
        }
        return new Losses(loss, ml, kl);
    }

    /**
     * One path pass and its backward pass: data to base (ml) from buf.pos[0] or base to data. Returns
     * -mean log w and adds {@code weight} times its gradient to the layers' accumulators.
     */
    private double pass(int b, boolean ml, double weight) {
        int n = layers.size();
        double[] ld = buf.logDet;
        java.util.Arrays.fill(ld, 0, b, 0.0);
        for (int a = 0; a < n; a++) {
            Layer l = layers.get(ml ? a : n - 1 - a);
            l.forward(buf.pos[a], buf.pos[a + 1], b, ml, ld);
        }
        double[] start = flat(buf.pos[0], b);
        double[] end = flat(buf.pos[n], b);
        // ml: log w = u_X(x) - u_Z(z) + dS; kl: log w = u_Z(z) - u_X(x) + dS
        Energy startEnergy = ml ? target : prior;
        Energy endEnergy = ml ? prior : target;
        double[] u0 = startEnergy.energyArray(start, b);
        double[] u1 = endEnergy.energyArray(end, b);
        double sum = 0;
        for (int i = 0; i < b; i++) {
            sum += u0[i] - u1[i] + ld[i];
        }
        double j = -sum / b;
        // d(weight * J)/d(end) = weight / b * grad u_end; d/d(dS) = -weight / b
        double[] g1 = endEnergy.gradientArray(end, b);
        float[][] g = buf.gA;
        double c = weight / b;
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < dim; k++) {
                g[i][k] = (float) (c * g1[i * dim + k]);
            }
        }
        float gLd = (float) -c;
        float[][] other = buf.gB;
        for (int a = n - 1; a >= 0; a--) {
            Layer l = layers.get(ml ? a : n - 1 - a);
            l.backward(buf.pos[a], buf.pos[a + 1], g, other, b, ml, gLd);
            float[][] t = g;
            g = other;
            other = t;
        }
        return j;
    }

    private double[] flat(float[][] rows, int b) {
        double[] out = new double[b * dim];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < dim; k++) {
                out[i * dim + k] = rows[i][k];
            }
        }
        return out;
    }

    /** Positions between layers and the gradient scratch. */
    private final class Buffers {
        final int capacity;
        final float[][][] pos;
        final double[] logDet;
        final float[][] gA;
        final float[][] gB;

        Buffers(int capacity) {
            this.capacity = capacity;
            pos = new float[layers.size() + 1][capacity][dim];
            logDet = new double[capacity];
            gA = new float[capacity][dim];
            gB = new float[capacity][dim];
        }
    }

    /** A layer of the fused stack. */
    private abstract static class Layer {
        /** Called at the start of a step with its batch size: refresh weights, zero accumulators. */
        abstract void begin(int batch);

        /** in -> out (towardBase: the flow's forward direction); adds log-dets to ld. */
        abstract void forward(float[][] in, float[][] out, int b, boolean towardBase, double[] ld);

        /** Given gOut (d loss / d out) and the constant gLd (d loss / d log-det), writes gIn; accumulates parameter gradients. */
        abstract void backward(float[][] in, float[][] out, float[][] gOut, float[][] gIn, int b, boolean towardBase,
                float gLd);

        /** Writes the accumulated gradients into the tensors of their parameters. */
        abstract void finish(Map<Tensor, float[]> grads);
    }

    /** A ReLU network on row arrays with its own activations and gradient accumulators. */
    private static final class Net {
        final Mlp mlp;
        final RowGemm gemm;
        final int nl;
        final int[] widths;
        final float[][][] rows;
        final float[][][] transposed;
        final float[][] bias;
        final float[][][] dW;
        final float[][][] dWt;
        final float[][] db;
        /** Forward width of each layer's output (its width, or rounded up to 16 when a product runs on vectors). */
        final int[] padded;
        float[][][] act;
        float[][] gA;
        float[][] gB;
        int capacity;

        Net(Mlp mlp, RowGemm gemm) {
            this.mlp = mlp;
            this.gemm = gemm;
            List<Linear> ls = mlp.layers();
            nl = ls.size();
            widths = new int[nl + 1];
            widths[0] = mlp.in();
            for (int k = 0; k < nl; k++) {
                widths[k + 1] = ls.get(k).out();
            }
            rows = new float[nl][][];
            transposed = new float[nl][][];
            bias = new float[nl][];
            dW = new float[nl][][];
            dWt = new float[nl][][];
            db = new float[nl][];
            padded = new int[nl];
            for (int k = 0; k < nl; k++) {
                // a forward product wider than NARROW runs on whole vectors: pad its width to 16
                // with zero weights (a 20-wide output would otherwise leave 4 columns to scalar code)
                padded[k] = widths[k + 1] < NARROW ? widths[k + 1] : (widths[k + 1] + 15) / 16 * 16;
                rows[k] = new float[widths[k + 1]][widths[k]];
                transposed[k] = new float[widths[k]][padded[k]];
                dW[k] = new float[widths[k + 1]][widths[k]];
                dWt[k] = new float[widths[k]][widths[k + 1]];
                db[k] = new float[widths[k + 1]];
                bias[k] = new float[padded[k]];
            }
        }

        int maxWidth() {
            int m = 0;
            for (int w : widths) {
                m = Math.max(m, w);
            }
            return m;
        }

        void begin(int batch) {
            if (act == null || capacity < batch) {
                capacity = batch;
                act = new float[nl][][];
                for (int k = 0; k < nl; k++) {
                    act[k] = new float[batch][padded[k]];
                }
                gA = new float[batch][maxWidth()];
                gB = new float[batch][maxWidth()];
            }
            List<Linear> ls = mlp.layers();
            for (int k = 0; k < nl; k++) {
                float[] w = ls.get(k).weight().rawFloats();
                int in = widths[k];
                int out = widths[k + 1];
                for (int o = 0; o < out; o++) {
                    System.arraycopy(w, o * in, rows[k][o], 0, in);
                    for (int i = 0; i < in; i++) {
                        transposed[k][i][o] = w[o * in + i];
                    }
                }
                System.arraycopy(ls.get(k).bias().rawFloats(), 0, bias[k], 0, out);
                for (float[] r : in < NARROW ? dWt[k] : dW[k]) {
                    java.util.Arrays.fill(r, 0f);
                }
                java.util.Arrays.fill(db[k], 0f);
            }
        }

        /** Outputs on rows [0, b) of in; the result is {@link #output()}. */
        void forward(float[][] in, int b) {
            float[][] x = in;
            for (int k = 0; k < nl; k++) {
                float[][] y = act[k];
                int out = padded[k];
                if (out < NARROW) {
                    gemm.dots(x, rows[k], bias[k], false, y, 0, b, widths[k], out);
                } else {
                    gemm.gemm(false, x, transposed[k], bias[k], false, y, 0, b, widths[k], out);
                }
                if (k + 1 < nl) {
                    gemm.relu(y, 0, b, out);
                }
                x = y;
            }
        }

        float[][] output() {
            return act[nl - 1];
        }

        /** Scratch the caller fills with d loss / d output before {@link #backward}. */
        float[][] outputGradient() {
            return gA;
        }

        /** Back from {@link #outputGradient()}: accumulates parameter gradients, writes d loss / d input to gIn. */
        void backward(float[][] in, int b, float[][] gIn) {
            float[][] g = gA;
            float[][] other = gB;
            for (int k = nl - 1; k >= 0; k--) {
                float[][] input = k == 0 ? in : act[k - 1];
                int wi = widths[k];
                int wo = widths[k + 1];
                if (wi < NARROW) {
                    gemm.gemm(true, input, g, null, true, dWt[k], 0, wi, b, wo);
                } else {
                    gemm.gemm(true, g, input, null, true, dW[k], 0, wo, b, wi);
                }
                float[] dbk = db[k];
                for (int i = 0; i < b; i++) {
                    float[] gi = g[i];
                    for (int o = 0; o < wo; o++) {
                        dbk[o] += gi[o];
                    }
                }
                float[][] dst = k == 0 ? gIn : other;
                if (wi < NARROW) {
                    gemm.dots(g, transposed[k], null, false, dst, 0, b, wo, wi);
                } else {
                    gemm.gemm(false, g, rows[k], null, false, dst, 0, b, wo, wi);
                }
                if (k > 0) {
                    gemm.reluMask(act[k - 1], dst, 0, b, wi);
                    float[][] t = g;
                    g = other;
                    other = t;
                }
            }
        }

        void finish(Map<Tensor, float[]> grads) {
            if (gw == null) {
                List<Linear> ls = mlp.layers();
                gw = new float[nl][];
                gb = new float[nl][];
                for (int k = 0; k < nl; k++) {
                    gw[k] = grads.get(ls.get(k).weight());
                    gb[k] = grads.get(ls.get(k).bias());
                }
            }
            for (int k = 0; k < nl; k++) {
                float[] w = gw[k];
                int in = widths[k];
                int out = widths[k + 1];
                if (in < NARROW) {
                    float[][] t = dWt[k];
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < in; i++) {
                            w[o * in + i] = t[i][o];
                        }
                    }
                } else {
                    for (int o = 0; o < out; o++) {
                        System.arraycopy(dW[k][o], 0, w, o * in, in);
                    }
                }
                System.arraycopy(db[k], 0, gb[k], 0, out);
            }
        }

        /** The gradient arrays of the layers' weights and biases, resolved on first use. */
        private float[][] gw;
        private float[][] gb;
    }

    /** A {@link SplitCoupling}: conditioning half through the networks, elementwise transformer on the other half. */
    private static final class Coupling extends Layer {
        final SplitCoupling c;
        final int dim;
        final int[] cond;
        final int[] tgt;
        final List<Net> nets;
        final int params;
        final ScaledTanhAffineTransformer affine;
        final SplineMath spline;
        float[][] netIn;
        float[][] p;
        float[][] gP;
        float[][] gNetIn;
        int capacity;
        double[] alpha;
        double[] gLogAlpha;
        /** The spline's knots and bin probabilities of every element in the forward pass, for the backward pass. */
        double[] saved;

        Coupling(SplitCoupling c, RowGemm gemm) {
            this.c = c;
            this.dim = c.dim();
            int split = dim / 2;
            int[] first = new int[split];
            int[] second = new int[dim - split];
            for (int i = 0; i < dim; i++) {
                if (i < split) {
                    first[i] = i;
                } else {
                    second[i - split] = i;
                }
            }
            cond = c.transformsSecondHalf() ? first : second;
            tgt = c.transformsSecondHalf() ? second : first;
            nets = new ArrayList<>();
            int ps = 0;
            for (Mlp m : c.nets()) {
                nets.add(new Net(m, gemm));
                ps += m.out();
            }
            params = ps;
            if (c.transformer() instanceof ScaledTanhAffineTransformer a) {
                affine = a;
                spline = null;
            } else {
                affine = null;
                spline = new SplineMath((RationalQuadraticSpline) c.transformer());
            }
        }

        @Override
        void begin(int batch) {
            if (netIn == null || capacity < batch) {
                capacity = batch;
                netIn = new float[batch][cond.length];
                gNetIn = new float[batch][cond.length];
                p = new float[batch][params];
                gP = new float[batch][params];
                saved = spline == null ? null : new double[batch * tgt.length * spline.savedSize()];
            }
            for (Net n : nets) {
                n.begin(batch);
            }
            if (affine != null) {
                float[] la = affine.logAlpha().rawFloats();
                alpha = new double[la.length];
                for (int i = 0; i < la.length; i++) {
                    alpha[i] = Math.exp(la[i]);
                }
                gLogAlpha = new double[la.length];
            }
        }

        /** Network outputs for the conditioning half of in, concatenated into p. */
        private void conditioner(float[][] in, int b) {
            for (int i = 0; i < b; i++) {
                for (int q = 0; q < cond.length; q++) {
                    netIn[i][q] = in[i][cond[q]];
                }
            }
            int col = 0;
            for (Net n : nets) {
                n.forward(netIn, b);
                float[][] o = n.output();
                int w = n.widths[n.nl];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(o[i], 0, p[i], col, w);
                }
                col += w;
            }
        }

        @Override
        void forward(float[][] in, float[][] out, int b, boolean towardBase, double[] ld) {
            conditioner(in, b);
            int t = tgt.length;
            // towardBase applies the transformer's inverse (SplitCoupling.forward)
            boolean inverse = towardBase;
            for (int i = 0; i < b; i++) {
                float[] x = in[i];
                float[] y = out[i];
                for (int q : cond) {
                    y[q] = x[q];
                }
                double l = 0;
                float[] pi = p[i];
                for (int j = 0; j < t; j++) {
                    int q = tgt[j];
                    double v = x[q];
                    if (affine != null) {
                        double a = alpha[alpha.length == 1 ? 0 : j];
                        double s = a * Math.tanh(pi[j]);
                        double shift = pi[t + j];
                        if (inverse) {
                            y[q] = (float) ((v - shift) * Math.exp(-s));
                            l -= s;
                        } else {
                            y[q] = (float) (v * Math.exp(s) + shift);
                            l += s;
                        }
                    } else {
                        y[q] = (float) spline.apply(v, pi, j, t, inverse);
                        spline.save(saved, (i * t + j) * spline.savedSize());
                        l += spline.ld;
                    }
                }
                ld[i] += l;
            }
        }

        @Override
        void backward(float[][] in, float[][] out, float[][] gOut, float[][] gIn, int b, boolean towardBase,
                float gLd) {
            // netIn, p and the networks' activations still hold this pass's forward values
            int t = tgt.length;
            boolean inverse = towardBase;
            for (int i = 0; i < b; i++) {
                float[] x = in[i];
                float[] go = gOut[i];
                float[] gi = gIn[i];
                float[] pi = p[i];
                float[] gpi = gP[i];
                java.util.Arrays.fill(gpi, 0f);
                for (int q : cond) {
                    gi[q] = go[q];
                }
                for (int j = 0; j < t; j++) {
                    int q = tgt[j];
                    double v = x[q];
                    double gy = go[q];
                    if (affine != null) {
                        int ai = alpha.length == 1 ? 0 : j;
                        double a = alpha[ai];
                        double th = Math.tanh(pi[j]);
                        double s = a * th;
                        double gs;
                        if (inverse) {
                            double e = Math.exp(-s);
                            double shift = pi[t + j];
                            double y = (v - shift) * e;
                            gi[q] = (float) (gy * e);
                            gpi[t + j] = (float) (-gy * e);
                            gs = -gy * y - gLd;
                        } else {
                            double e = Math.exp(s);
                            gi[q] = (float) (gy * e);
                            gpi[t + j] = (float) gy;
                            gs = gy * v * e + gLd;
                        }
                        gpi[j] = (float) (gs * a * (1 - th * th));
                        gLogAlpha[ai] += gs * s;
                    } else {
                        gi[q] = (float) spline.backward(v, pi, j, t, inverse, gy, gLd, gpi, j, t, saved,
                                (i * t + j) * spline.savedSize());
                    }
                }
            }
            int col = 0;
            for (Net n : nets) {
                int w = n.widths[n.nl];
                float[][] g = n.outputGradient();
                for (int i = 0; i < b; i++) {
                    System.arraycopy(gP[i], col, g[i], 0, w);
                }
                n.backward(netIn, b, gNetIn);
                for (int i = 0; i < b; i++) {
                    for (int q = 0; q < cond.length; q++) {
                        gIn[i][cond[q]] += gNetIn[i][q];
                    }
                }
                col += w;
            }
        }

        @Override
        void finish(Map<Tensor, float[]> grads) {
            for (Net n : nets) {
                n.finish(grads);
            }
            if (affine != null) {
                float[] g = grads.get(affine.logAlpha());
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) gLogAlpha[i];
                }
            }
        }
    }

    /** A {@link MetropolisMC} block: the same chain as the graph path, gradients through kept positions and energies. */
    private static final class Mc extends Layer {
        final MetropolisMC m;
        final Energy u;
        final int dim;
        final Tensor logStep;
        /** The forward pass's start and end positions, energies and scratch (reused while the batch size stays). */
        double[] y0;
        double[] y;
        double[] prop;
        float[] noise;
        double[] e;
        double[] e0;
        double[] ep;
        double[] uniform;
        /** Sum of each row's accepted normals (the derivative of its end position by the step size). */
        double[] accNoise;
        double gLogStep;

        Mc(MetropolisMC m) {
            this.m = m;
            this.u = m.energy();
            this.dim = m.dim();
            this.logStep = m.parameters().isEmpty() ? null : m.parameters().get(0);
        }

        @Override
        void begin(int batch) {
            gLogStep = 0;
        }

        private float step() {
            if (logStep == null) {
                return (float) m.stepSize();
            }
            return (float) Math.exp(logStep.rawFloats()[0]);
        }

        @Override
        void forward(float[][] in, float[][] out, int b, boolean towardBase, double[] ld) {
            int n = b * dim;
            if (y == null || y.length != n) {
                y = new double[n];
                y0 = new double[n];
                prop = new double[n];
                noise = new float[n];
                e = new double[b];
                e0 = new double[b];
                ep = new double[b];
                uniform = new double[b];
                accNoise = new double[n];
            }
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < dim; k++) {
                    y[i * dim + k] = in[i][k];
                }
            }
            System.arraycopy(y, 0, y0, 0, n);
            u.energyArray(y, b, e);
            System.arraycopy(e, 0, e0, 0, b);
            boolean trainable = logStep != null;
            if (trainable) {
                java.util.Arrays.fill(accNoise, 0);
            }
            float st = step();
            Rng rng = m.rng();
            for (int s = 0; s < m.steps(); s++) {
                // the graph path's draws: the step's normals (Tensor.randn), then one uniform a row
                rng.fillGaussianFast(noise);
                for (int i = 0; i < n; i++) {
                    prop[i] = (float) y[i] + noise[i] * st;
                }
                u.energyArray(prop, b, ep);
                rng.fillUniform(uniform);
                for (int i = 0; i < b; i++) {
                    double delta = ep[i] - e[i];
                    // u < 1 <= exp(-delta) when delta <= 0: the graph path's decision without the exponential
                    if (delta <= 0 || uniform[i] < Math.exp(-delta)) {
                        for (int k = 0; k < dim; k++) {
                            y[i * dim + k] = prop[i * dim + k];
                        }
                        e[i] = ep[i];
                        if (trainable) {
                            for (int k = 0; k < dim; k++) {
                                accNoise[i * dim + k] += noise[i * dim + k];
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < dim; k++) {
                    out[i][k] = (float) y[i * dim + k];
                }
                ld[i] += e[i] - e0[i];
            }
        }

        @Override
        void backward(float[][] in, float[][] out, float[][] gOut, float[][] gIn, int b, boolean towardBase,
                float gLd) {
            // dS = u(y_end) - u(y0) with y_end = y0 + step * (sum of accepted noise)
            double[] g1 = u.gradientArray(y, b);
            double[] g0 = u.gradientArray(y0, b);
            double gStep = 0;
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < dim; k++) {
                    int f = i * dim + k;
                    double gEnd = gOut[i][k] + (double) gLd * g1[f];
                    gIn[i][k] = (float) (gEnd - (double) gLd * g0[f]);
                    if (logStep != null) {
                        gStep += gEnd * accNoise[f];
                    }
                }
            }
            if (logStep != null) {
                gLogStep += gStep * Math.exp(logStep.rawFloats()[0]);
            }
        }

        @Override
        void finish(Map<Tensor, float[]> grads) {
            if (logStep != null) {
                grads.get(logStep)[0] = (float) gLogStep;
            }
        }
    }
}
