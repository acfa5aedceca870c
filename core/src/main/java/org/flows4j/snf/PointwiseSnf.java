package org.flows4j.snf;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.energy.Energy;
import org.flows4j.energy.InterpolatedEnergy;
import org.flows4j.energy.PointwiseEnergy;
import org.flows4j.fused.FusedNet;
import org.flows4j.fused.RowOrder;
import org.flows4j.kernels.NetKernel;
import org.flows4j.kernels.RowGemm;
import org.flows4j.parallel.Parallel;
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
 * Fused float32 kernels for the stochastic normalizing flows {@link SnfBuilder} builds (split
 * couplings with the paper's affine or spline transformers, Metropolis blocks) towards a
 * {@link PointwiseEnergy}: the J_ML training step with a hand-written backward pass on the row
 * kernels ({@link RowGemm}), and multi-threaded sampling without gradients. It works on the
 * generator's own parameter tensors (an optimizer's updates are seen at once) and computes the
 * numbers of the tensor path: the same losses and gradients to float32 rounding, and, drawing from
 * each Metropolis layer's own generator in the same order, the same Metropolis moves.
 *
 * <p>Also runs a plain Metropolis chain (no couplings) from the prior: {@link #metropolis}.
 */
public final class PointwiseSnf {
    private static final int CHUNK = 1024;

    private sealed interface Layer permits Coupling, Metropolis {}

    /** A split coupling: conditioning and transformed coordinates, networks, transformer. */
    private static final class Coupling implements Layer {
        final int[] cond;
        final int[] trans;
        final FusedNet[] nets;
        /** Affine: log alpha (one per layer); null for splines. */
        final Tensor logAlpha;
        final RationalQuadraticSpline spline;

        Coupling(int[] cond, int[] trans, FusedNet[] nets, Tensor logAlpha, RationalQuadraticSpline spline) {
            this.cond = cond;
            this.trans = trans;
            this.nets = nets;
            this.logAlpha = logAlpha;
            this.spline = spline;
        }

        int widest() {
            int w = 0;
            for (FusedNet n : nets) {
                w = Math.max(w, n.widest());
            }
            return w;
        }
    }

    /** A Metropolis block on u_lambda = (1 - lambda) |x|^2 / 2 + lambda u_target. */
    private static final class Metropolis implements Layer {
        final MetropolisMC source;
        final double lambda;
        final int steps;
        final double stepSize;

        Metropolis(MetropolisMC source, double lambda, int steps, double stepSize) {
            this.source = source;
            this.lambda = lambda;
            this.steps = steps;
            this.stepSize = stepSize;
        }
    }

    private final int dim;
    /** In flows4j order: data to base. */
    private final List<Layer> layers;
    private final PointwiseEnergy target;
    private final List<Tensor> parameters;
    private final RowGemm gemm;
    private final NetKernel nk;
    /** Box-Muller normals from Rng.nextGaussian (the tensor layers' draws) instead of the ziggurat. */
    private final boolean boxMuller;

    private PointwiseSnf(int dim, List<Layer> layers, PointwiseEnergy target, List<Tensor> parameters, RowGemm gemm,
            boolean boxMuller) {
        this.dim = dim;
        this.layers = List.copyOf(layers);
        this.target = target;
        this.parameters = List.copyOf(parameters);
        this.gemm = gemm;
        this.nk = NetKernel.forGemm(gemm);
        this.boxMuller = boxMuller;
    }

    /**
     * The fused kernels of {@code bg}, if they support it: float32, a standard normal base, a
     * {@link PointwiseEnergy} target, and only split couplings with ReLU networks and the paper's
     * affine (one alpha) or spline transformers, and Metropolis layers with fixed step sizes on the
     * target or on its interpolation with the prior.
     */
    public static Optional<PointwiseSnf> of(BoltzmannGenerator bg) {
        return of(bg, RowGemm.best(), false);
    }

    /**
     * With {@code boxMuller} the Metropolis proposals (and prior draws) are the tensor layers'
     * Box-Muller normals, in the same order, so that both paths make the same moves (tests);
     * otherwise the faster ziggurat draws, the same distribution.
     */
    static Optional<PointwiseSnf> of(BoltzmannGenerator bg, RowGemm gemm, boolean boxMuller) {
        if (!(bg.target() instanceof PointwiseEnergy target) || bg.flow().dtype() != DType.FLOAT32
                || !(bg.flow().base() instanceof StandardNormal)) {
            return Optional.empty();
        }
        int d = bg.dim();
        List<Transform> parts = bg.transform() instanceof Composite c ? c.parts() : List.of(bg.transform());
        List<Layer> layers = new ArrayList<>();
        for (Transform t : parts) {
            if (t instanceof SplitCoupling sc) {
                Optional<Coupling> c = coupling(sc, d);
                if (c.isEmpty()) {
                    return Optional.empty();
                }
                layers.add(c.get());
            } else if (t instanceof MetropolisMC mc) {
                if (!mc.parameters().isEmpty()) {
                    return Optional.empty();
                }
                Energy e = mc.energy();
                double lambda;
                if (e == target) {
                    lambda = 1;
                } else if (e instanceof InterpolatedEnergy ie && ie.end() == target) {
                    lambda = ie.lambda();
                } else {
                    return Optional.empty();
                }
                layers.add(new Metropolis(mc, lambda, mc.steps(), mc.stepSize()));
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new PointwiseSnf(d, layers, target, bg.parameters(), gemm, boxMuller));
    }

    private static Optional<Coupling> coupling(SplitCoupling sc, int d) {
        for (Mlp m : sc.nets()) {
            if (!FusedNet.supports(m)) {
                return Optional.empty();
            }
        }
        int split = d / 2;
        int[] first = range(0, split);
        int[] second = range(split, d);
        int[] cond = sc.transformsSecondHalf() ? first : second;
        int[] trans = sc.transformsSecondHalf() ? second : first;
        FusedNet[] nets = new FusedNet[sc.nets().size()];
        for (int i = 0; i < nets.length; i++) {
            nets[i] = new FusedNet(sc.nets().get(i));
        }
        int t = trans.length;
        if (sc.transformer() instanceof ScaledTanhAffineTransformer st) {
            if (st.logAlpha().numel() != 1 || nets.length != 2 || nets[0].out() != t || nets[1].out() != t) {
                return Optional.empty();
            }
            return Optional.of(new Coupling(cond, trans, nets, st.logAlpha(), null));
        }
        if (sc.transformer() instanceof RationalQuadraticSpline rq) {
            int k = rq.bins();
            if (nets.length != 3 || nets[0].out() != k * t || nets[1].out() != k * t || nets[2].out() != (k - 1) * t) {
                return Optional.empty();
            }
            return Optional.of(new Coupling(cond, trans, nets, null, rq));
        }
        return Optional.empty();
    }

    private static int[] range(int a, int b) {
        int[] r = new int[b - a];
        for (int i = 0; i < r.length; i++) {
            r[i] = a + i;
        }
        return r;
    }

    /**
     * A chain of {@code steps} Metropolis moves of proposal std {@code stepSize} on the target from
     * standard normal draws: the paper's "pure Metropolis" sampler, as a fused model without couplings.
     */
    public static PointwiseSnf metropolis(PointwiseEnergy target, int steps, double stepSize) {
        if (target.dim() < 1) {
            throw new IllegalArgumentException("the target needs a fixed dimension");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        if (!(stepSize > 0) || !Double.isFinite(stepSize)) {
            throw new IllegalArgumentException("step size must be a positive number, got " + stepSize);
        }
        List<Layer> ls = steps == 0 ? List.of() : List.of(new Metropolis(null, 1, steps, stepSize));
        return new PointwiseSnf(target.dim(), ls, target, List.of(), RowGemm.best(), false);
    }

    public int dim() {
        return dim;
    }

    /** The trained parameters, in the generator's order (that of {@link Trainer#gradients()}). */
    public List<Tensor> parameters() {
        return parameters;
    }

    public String kernelName() {
        return gemm.name();
    }

    private void refreshWeights() {
        for (Layer l : layers) {
            if (l instanceof Coupling c) {
                for (FusedNet n : c.nets) {
                    n.refresh();
                }
            }
        }
    }

    /** u_lambda at x; with {@code grad} non-null also its gradient. */
    private double energy(double lambda, float[] x, double[] grad) {
        double prior = 0;
        for (int j = 0; j < dim; j++) {
            prior += (double) x[j] * x[j];
        }
        prior *= 0.5;
        if (lambda == 0) {
            if (grad != null) {
                for (int j = 0; j < dim; j++) {
                    grad[j] = x[j];
                }
            }
            return prior;
        }
        double u = grad != null ? target.gradientAt(x, grad) : target.energyAt(x);
        if (lambda == 1) {
            return u;
        }
        if (grad != null) {
            for (int j = 0; j < dim; j++) {
                grad[j] = (1 - lambda) * x[j] + lambda * grad[j];
            }
        }
        return (1 - lambda) * prior + lambda * u;
    }

    /**
     * Metropolis moves of rows [0, n) of y in place; e holds u_lambda of each row and is updated.
     * Draws n * dim normals, then n uniforms, per step (the tensor path's order).
     */
    private void metropolis(Metropolis m, float[][] y, double[] e, int n, Rng rng, float[] noise, float[][] prop,
            double[] eProp) {
        float step = (float) m.stepSize;
        for (int s = 0; s < m.steps; s++) {
            if (boxMuller) {
                for (int i = 0; i < n * dim; i++) {
                    noise[i] = (float) rng.nextGaussian();
                }
            } else {
                for (int i = 0; i < n * dim; i++) {
                    noise[i] = (float) ZigguratNormal.next(rng);
                }
            }
            for (int i = 0; i < n; i++) {
                float[] yi = y[i];
                float[] pi = prop[i];
                for (int j = 0; j < dim; j++) {
                    pi[j] = yi[j] + noise[i * dim + j] * step;
                }
                eProp[i] = energy(m.lambda, pi, null);
            }
            for (int i = 0; i < n; i++) {
                double u = rng.nextDouble();
                double delta = eProp[i] - e[i];
                if (delta <= 0 || u < Math.exp(-delta)) {
                    System.arraycopy(prop[i], 0, y[i], 0, dim);
                    e[i] = eProp[i];
                }
            }
        }
    }

    /** A reusable J_ML training step. */
    public Trainer newTrainer() {
        return new Trainer();
    }

    /**
     * J_ML = mean over a batch of -log w(x -> z) = u_Z(z) - u_X(x) - sum dS, and its gradient with
     * respect to every parameter, into preallocated tensors. The Metropolis layers draw from their
     * own generators. Not thread-safe: one per training loop.
     */
    public final class Trainer {
        private final List<Tensor> grads = new ArrayList<>();
        private final Map<Tensor, float[]> gradOf = new IdentityHashMap<>();
        private int capacity;
        private float[][][] xs;
        private float[][][] netIn;
        private FusedNet.Work[][] works;
        private double[][] e0;
        private double[][] e1;
        private double[] dSum;
        private float[][] gCur;
        private float[][] gNext;
        private float[][][] gOut;
        private float[][] gOther;
        private float[][] gNetIn;
        private FusedNet.Grads[][] netGrads;
        private float[] noise;
        private float[][] prop;
        private double[] eProp;
        private final double[] gradA = new double[dim];
        private final double[] gradB = new double[dim];
        private SplineGrad[] splines;
        private int[][] perms;
        /** Per coupling and network: the gradient arrays of its weights and biases, in layer order. */
        private float[][][][] netGradW;
        private float[][][][] netGradB;
        private double[][] splineState;
        /** Per affine coupling: the gradient array of its log alpha, and tanh of the raw scales (row-major [n][t]). */
        private float[][] logAlphaGrad;
        private double[][] tanhS;
        private final RowOrder order = new RowOrder();
        private double lastMl;
        /**
         * Per coupling and network: whether its gradient arrays are its own (each written by this
         * network alone: replaced each step, not zeroed and added to); and the gradient arrays a
         * step must zero first (all others).
         */
        private boolean[][] ownsGrads;
        private final List<float[]> zeroEachStep = new ArrayList<>();

        Trainer() {
            for (Tensor p : parameters) {
                Tensor g = Tensor.zeros(DType.FLOAT32, p.shape());
                grads.add(g);
                gradOf.put(p, g.rawFloats());
            }
        }

        /** The gradient tensors {@link #step} fills, in the order of {@link #parameters()}. */
        public List<Tensor> gradients() {
            return grads;
        }

        private void ensure(int n) {
            if (capacity >= n) {
                return;
            }
            capacity = n;
            int nl = layers.size();
            xs = new float[nl + 1][n][dim];
            netIn = new float[nl][][];
            works = new FusedNet.Work[nl][];
            e0 = new double[nl][];
            e1 = new double[nl][];
            netGrads = new FusedNet.Grads[nl][];
            splines = new SplineGrad[nl];
            perms = new int[nl][];
            netGradW = new float[nl][][][];
            netGradB = new float[nl][][][];
            splineState = new double[nl][];
            logAlphaGrad = new float[nl][];
            tanhS = new double[nl][];
            int widest = dim;
            int maxNets = 0;
            for (int l = 0; l < nl; l++) {
                Layer layer = layers.get(l);
                if (layer instanceof Coupling c) {
                    netIn[l] = new float[n][c.cond.length];
                    perms[l] = new int[n];
                    works[l] = new FusedNet.Work[c.nets.length];
                    netGradW[l] = new float[c.nets.length][][];
                    netGradB[l] = new float[c.nets.length][][];
                    for (int k = 0; k < c.nets.length; k++) {
                        FusedNet net = c.nets[k];
                        netGradW[l][k] = new float[net.linears()][];
                        netGradB[l][k] = new float[net.linears()][];
                        for (int m = 0; m < net.linears(); m++) {
                            netGradW[l][k][m] = gradOf.get(net.weight(m));
                            netGradB[l][k][m] = gradOf.get(net.bias(m));
                        }
                    }
                    netGrads[l] = new FusedNet.Grads[c.nets.length];
                    for (int k = 0; k < c.nets.length; k++) {
                        works[l][k] = c.nets[k].newWork(n);
                        netGrads[l][k] = new FusedNet.Grads(c.nets[k]);
                    }
                    widest = Math.max(widest, c.widest());
                    maxNets = Math.max(maxNets, c.nets.length);
                    if (c.logAlpha != null) {
                        logAlphaGrad[l] = gradOf.get(c.logAlpha);
                        tanhS[l] = new double[n * c.trans.length];
                    }
                    if (c.spline != null) {
                        splines[l] = new SplineGrad(c.spline);
                        splineState[l] = new double[n * c.trans.length * splines[l].stateSize()];
                    }
                } else {
                    e0[l] = new double[n];
                    e1[l] = new double[n];
                }
            }
            ownGradients();
            dSum = new double[n];
            gCur = new float[n][dim];
            gNext = new float[n][dim];
            gOut = new float[maxNets][n][widest];
            gOther = new float[n][widest];
            gNetIn = new float[n][dim];
            noise = new float[n * dim];
            prop = new float[n][dim];
            eProp = new double[n];
        }

        /**
         * Which networks' gradient arrays are theirs alone (no array shared with another network,
         * or twice within one), and so which arrays a step must zero: every array no network owns.
         */
        private void ownGradients() {
            Map<float[], Integer> uses = new IdentityHashMap<>();
            int nl = layers.size();
            for (int l = 0; l < nl; l++) {
                if (netGradW[l] != null) {
                    for (int k = 0; k < netGradW[l].length; k++) {
                        for (float[] a : netGradW[l][k]) {
                            uses.merge(a, 1, Integer::sum);
                        }
                        for (float[] a : netGradB[l][k]) {
                            uses.merge(a, 1, Integer::sum);
                        }
                    }
                }
            }
            ownsGrads = new boolean[nl][];
            Map<float[], Boolean> owned = new IdentityHashMap<>();
            for (int l = 0; l < nl; l++) {
                if (netGradW[l] == null) {
                    continue;
                }
                ownsGrads[l] = new boolean[netGradW[l].length];
                for (int k = 0; k < netGradW[l].length; k++) {
                    boolean own = true;
                    for (float[] a : netGradW[l][k]) {
                        own &= uses.get(a) == 1;
                    }
                    for (float[] a : netGradB[l][k]) {
                        own &= uses.get(a) == 1;
                    }
                    ownsGrads[l][k] = own;
                    if (own) {
                        for (float[] a : netGradW[l][k]) {
                            owned.put(a, true);
                        }
                        for (float[] a : netGradB[l][k]) {
                            owned.put(a, true);
                        }
                    }
                }
            }
            zeroEachStep.clear();
            for (Tensor g : grads) {
                if (!owned.containsKey(g.rawFloats())) {
                    zeroEachStep.add(g.rawFloats());
                }
            }
        }

        /** J_ML of the last step (equal to its return value). */
        public double lastLoss() {
            return lastMl;
        }

        /**
         * Mean -log w(x -> z) of the batch (row-major [n * dim] floats) and its gradients into
         * {@link #gradients()}.
         */
        public double step(float[] batch, int n) {
            if (n < 1 || batch.length < n * dim) {
                throw new IllegalArgumentException("a batch of " + n + " rows of dimension " + dim + " needs "
                        + n * dim + " values");
            }
            ensure(n);
            refreshWeights();
            for (float[] g : zeroEachStep) {
                java.util.Arrays.fill(g, 0f);
            }
            for (int i = 0; i < n; i++) {
                System.arraycopy(batch, i * dim, xs[0][i], 0, dim);
            }
            java.util.Arrays.fill(dSum, 0, n, 0);
            int nl = layers.size();
            for (int l = 0; l < nl; l++) {
                Layer layer = layers.get(l);
                if (layer instanceof Coupling c) {
                    couplingForward(l, c, n);
                } else {
                    Metropolis m = (Metropolis) layer;
                    float[][] y = xs[l + 1];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(xs[l][i], 0, y[i], 0, dim);
                        e0[l][i] = energy(m.lambda, y[i], null);
                        e1[l][i] = e0[l][i];
                    }
                    metropolis(m, y, e1[l], n, m.source.rng(), noise, prop, eProp);
                    for (int i = 0; i < n; i++) {
                        dSum[i] += e1[l][i] - e0[l][i];
                    }
                }
            }
            double loss = 0;
            float inv = 1f / n;
            float[][] z = xs[nl];
            for (int i = 0; i < n; i++) {
                double sq = 0;
                for (int j = 0; j < dim; j++) {
                    sq += (double) z[i][j] * z[i][j];
                    gCur[i][j] = z[i][j] * inv;
                }
                loss += 0.5 * sq - dSum[i] - target.energyAt(xs[0][i]);
            }
            loss /= n;
            double gl = -1.0 / n;
            for (int l = nl - 1; l >= 0; l--) {
                Layer layer = layers.get(l);
                if (layer instanceof Coupling c) {
                    couplingBackward(l, c, n, gl);
                } else {
                    Metropolis m = (Metropolis) layer;
                    for (int i = 0; i < n; i++) {
                        energy(m.lambda, xs[l + 1][i], gradA);
                        energy(m.lambda, xs[l][i], gradB);
                        for (int j = 0; j < dim; j++) {
                            gNext[i][j] = (float) (gCur[i][j] + gl * (gradA[j] - gradB[j]));
                        }
                    }
                }
                float[][] t = gCur;
                gCur = gNext;
                gNext = t;
            }
            lastMl = loss;
            return loss;
        }

        private float[][] output(int l, int k) {
            return works[l][k].acts[((Coupling) layers.get(l)).nets[k].linears() - 1];
        }

        private void couplingForward(int l, Coupling c, int n) {
            float[][] in = xs[l];
            float[][] out = xs[l + 1];
            float[][] ni = netIn[l];
            int[] perm = perms[l];
            order.argsort(in, c.cond[0], n, perm);
            for (int r = 0; r < n; r++) {
                float[] src = in[perm[r]];
                for (int q = 0; q < c.cond.length; q++) {
                    ni[r][q] = src[c.cond[q]];
                }
            }
            for (int k = 0; k < c.nets.length; k++) {
                c.nets[k].forward(gemm, nk, ni, works[l][k], n, true);
            }
            int t = c.trans.length;
            if (c.spline == null) {
                float alpha = (float) Math.exp(c.logAlpha.rawFloats()[0]);
                float[][] rawS = output(l, 0);
                float[][] shift = output(l, 1);
                double[] ths = tanhS[l];
                for (int r = 0; r < n; r++) {
                    int i = perm[r];
                    System.arraycopy(in[i], 0, out[i], 0, dim);
                    double ld = 0;
                    for (int q = 0; q < t; q++) {
                        int j = c.trans[q];
                        double th = OneInputCoupling.tanh(rawS[r][q]);
                        ths[r * t + q] = th;
                        float s = alpha * (float) th;
                        out[i][j] = (in[i][j] - shift[r][q]) * (float) Math.exp(-s);
                        ld -= s;
                    }
                    dSum[i] += ld;
                }
            } else {
                SplineGrad sp = splines[l];
                float[][] wo = output(l, 0);
                float[][] ho = output(l, 1);
                float[][] dout = output(l, 2);
                double[] state = splineState[l];
                int size = sp.stateSize();
                for (int r = 0; r < n; r++) {
                    int i = perm[r];
                    System.arraycopy(in[i], 0, out[i], 0, dim);
                    double ld = 0;
                    for (int q = 0; q < t; q++) {
                        int j = c.trans[q];
                        sp.inverse(in[i][j], wo[r], q, ho[r], q, dout[r], q, t);
                        sp.save(state, (r * t + q) * size);
                        out[i][j] = (float) sp.out;
                        ld += sp.logDet;
                    }
                    dSum[i] += ld;
                }
            }
        }

        private void couplingBackward(int l, Coupling c, int n, double gl) {
            float[][] in = xs[l];
            int t = c.trans.length;
            int[] perm = perms[l];
            for (int i = 0; i < n; i++) {
                System.arraycopy(gCur[i], 0, gNext[i], 0, dim);
            }
            if (c.spline == null) {
                float alpha = (float) Math.exp(c.logAlpha.rawFloats()[0]);
                float[][] rawS = output(l, 0);
                float[][] shift = output(l, 1);
                double gLogAlpha = 0;
                float[][] g0 = gOut[0];
                float[][] g1 = gOut[1];
                double[] ths = tanhS[l];
                for (int r = 0; r < n; r++) {
                    int i = perm[r];
                    for (int q = 0; q < t; q++) {
                        int j = c.trans[q];
                        double th = ths[r * t + q];
                        double s = alpha * th;
                        double e = Math.exp(-s);
                        double o = (in[i][j] - shift[r][q]) * e;
                        double g = gCur[i][j];
                        gNext[i][j] = (float) (g * e);
                        double gs = -g * o - gl;
                        g0[r][q] = (float) (gs * alpha * (1 - th * th));
                        g1[r][q] = (float) (-g * e);
                        gLogAlpha += gs * s;
                    }
                }
                logAlphaGrad[l][0] += (float) gLogAlpha;
            } else {
                SplineGrad sp = splines[l];
                int k = sp.bins();
                double[] state = splineState[l];
                int size = sp.stateSize();
                float[][] g0 = gOut[0];
                float[][] g1 = gOut[1];
                float[][] g2 = gOut[2];
                for (int r = 0; r < n; r++) {
                    int i = perm[r];
                    for (int q = 0; q < t; q++) {
                        int j = c.trans[q];
                        sp.restore(state, (r * t + q) * size);
                        sp.backward(gCur[i][j], gl);
                        gNext[i][j] = (float) sp.gIn;
                        for (int p = 0; p < k; p++) {
                            g0[r][p * t + q] = (float) sp.gw[p];
                            g1[r][p * t + q] = (float) sp.gh[p];
                        }
                        for (int p = 0; p < k - 1; p++) {
                            g2[r][p * t + q] = (float) sp.gd[p];
                        }
                    }
                }
            }
            for (int k = 0; k < c.nets.length; k++) {
                FusedNet net = c.nets[k];
                net.backward(gemm, nk, netIn[l], works[l][k], gOut[k], gOther, gNetIn, netGrads[l][k], n);
                if (ownsGrads[l][k]) {
                    net.copyInto(netGrads[l][k], netGradW[l][k], netGradB[l][k]);
                } else {
                    net.addInto(netGrads[l][k], netGradW[l][k], netGradB[l][k]);
                }
                for (int r = 0; r < n; r++) {
                    float[] dst = gNext[perm[r]];
                    for (int q = 0; q < c.cond.length; q++) {
                        dst[c.cond[q]] += gNetIn[r][q];
                    }
                }
            }
        }

    }

    /** Generated points (row-major [n * dim]) and their path log weights log w(z -> x). */
    public record Samples(int n, int dim, float[] x, double[] logWeights) {}

    /**
     * {@code n} paths from the prior through every layer (sampling direction), without gradients,
     * in chunks of 1024 on up to {@code threads} threads. Chunk c draws from the c-th generator
     * split from {@code rng}, so the result does not depend on the number of threads.
     */
    public Samples sample(int n, Rng rng, int threads) {
        if (n < 0) {
            throw new IllegalArgumentException("number of samples must be >= 0, got " + n);
        }
        refreshWeights();
        int chunks = (n + CHUNK - 1) / CHUNK;
        Rng[] rngs = new Rng[chunks];
        for (int c = 0; c < chunks; c++) {
            rngs[c] = rng.split();
        }
        float[] x = new float[n * dim];
        double[] logW = new double[n];
        runChunks(chunks, threads, (ws, c) -> {
            int start = c * CHUNK;
            int m = Math.min(CHUNK, n - start);
            ws.sample(rngs[c], m);
            for (int i = 0; i < m; i++) {
                System.arraycopy(ws.y[i], 0, x, (start + i) * dim, dim);
                logW[start + i] = ws.logW[i];
            }
        });
        return new Samples(n, dim, x, logW);
    }

    /** Buffers of one sampling thread. */
    private final class SampleWorkspace {
        final float[][] y = new float[CHUNK][dim];
        final float[][] ni = new float[CHUNK][dim];
        final FusedNet.Work work;
        final double[] logW = new double[CHUNK];
        final double[] e = new double[CHUNK];
        final float[] noise = new float[CHUNK * dim];
        final float[][] prop = new float[CHUNK][dim];
        final double[] eProp = new double[CHUNK];
        final Map<RationalQuadraticSpline, SplineGrad> splines = new IdentityHashMap<>();
        final int[] perm = new int[CHUNK];
        final RowOrder order = new RowOrder();

        SampleWorkspace() {
            int linears = 0;
            int widest = 1;
            for (Layer l : layers) {
                if (l instanceof Coupling c) {
                    widest = Math.max(widest, c.widest());
                    for (FusedNet net : c.nets) {
                        linears = Math.max(linears, net.linears());
                    }
                    if (c.spline != null) {
                        splines.computeIfAbsent(c.spline, SplineGrad::new);
                    }
                }
            }
            work = new FusedNet.Work(CHUNK, Math.max(linears, 1), widest);
        }

        void sample(Rng rng, int m) {
            for (int i = 0; i < m; i++) {
                double sq = 0;
                for (int j = 0; j < dim; j++) {
                    float v = (float) (boxMuller ? rng.nextGaussian() : ZigguratNormal.next(rng));
                    y[i][j] = v;
                    sq += (double) v * v;
                }
                logW[i] = 0.5 * sq;
            }
            for (int l = layers.size() - 1; l >= 0; l--) {
                Layer layer = layers.get(l);
                if (layer instanceof Metropolis mc) {
                    for (int i = 0; i < m; i++) {
                        e[i] = energy(mc.lambda, y[i], null);
                        logW[i] -= e[i];
                    }
                    metropolis(mc, y, e, m, rng, noise, prop, eProp);
                    for (int i = 0; i < m; i++) {
                        logW[i] += e[i];
                    }
                    continue;
                }
                Coupling c = (Coupling) layer;
                order.argsort(y, c.cond[0], m, perm);
                for (int r = 0; r < m; r++) {
                    float[] src = y[perm[r]];
                    for (int q = 0; q < c.cond.length; q++) {
                        ni[r][q] = src[c.cond[q]];
                    }
                }
                int t = c.trans.length;
                if (c.spline == null) {
                    float alpha = (float) Math.exp(c.logAlpha.rawFloats()[0]);
                    float[][] rawS = copyPer(c.nets[0], m, 0);
                    float[][] shift = netOutputs(c.nets[1], m);
                    for (int r = 0; r < m; r++) {
                        int i = perm[r];
                        double ld = 0;
                        for (int q = 0; q < t; q++) {
                            int j = c.trans[q];
                            float s = alpha * (float) OneInputCoupling.tanh(rawS[r][q]);
                            y[i][j] = y[i][j] * (float) Math.exp(s) + shift[r][q];
                            ld += s;
                        }
                        logW[i] += ld;
                    }
                } else {
                    SplineGrad sp = splines.get(c.spline);
                    float[][] wo = copyPer(c.nets[0], m, 0);
                    float[][] ho = copyPer(c.nets[1], m, 1);
                    float[][] dout = netOutputs(c.nets[2], m);
                    for (int r = 0; r < m; r++) {
                        int i = perm[r];
                        double ld = 0;
                        for (int q = 0; q < t; q++) {
                            int j = c.trans[q];
                            sp.forward(y[i][j], wo[r], q, ho[r], q, dout[r], q, t);
                            y[i][j] = (float) sp.out;
                            ld += sp.logDet;
                        }
                        logW[i] += ld;
                    }
                }
            }
            for (int i = 0; i < m; i++) {
                logW[i] -= target.energyAt(y[i]);
            }
        }

        private float[][] netOutputs(FusedNet net, int m) {
            net.forward(gemm, nk, ni, work, m);
            return work.acts[net.linears() - 1];
        }

        private final float[][][] keep = new float[2][][];

        /** Runs net and keeps a copy of its outputs in slot {@code slot}. */
        private float[][] copyPer(FusedNet net, int m, int slot) {
            float[][] o = netOutputs(net, m);
            int w = net.out();
            if (keep[slot] == null || keep[slot][0].length < w) {
                keep[slot] = new float[CHUNK][w];
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(o[i], 0, keep[slot][i], 0, w);
            }
            return keep[slot];
        }
    }

    @FunctionalInterface
    private interface ChunkJob {
        void run(SampleWorkspace ws, int chunk);
    }

    /**
     * Chunk indices [0, chunks) handed out one at a time by {@link Parallel}, one workspace per
     * thread (a thread count below 1 means one thread, as before).
     */
    private void runChunks(int chunks, int threads, ChunkJob job) {
        Parallel.forEachChunk(chunks, 1, Math.max(1, threads), SampleWorkspace::new, (ws, c, end) -> job.run(ws, c));
    }
}
