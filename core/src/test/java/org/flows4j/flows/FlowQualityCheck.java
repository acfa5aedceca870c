package org.flows4j.flows;

import java.util.List;
import java.util.Locale;
import org.flows4j.data.Moons;
import org.flows4j.data.MoonsEntropy;
import org.flows4j.data.Standardization;
import org.flows4j.nn.Adam;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.LossGradient;
import org.flows4j.train.MaximumLikelihood;

/**
 * Quality checks of the flow family, too slow for the unit suite (minutes each on one core):
 * <ul>
 *   <li>{@code moons}: a neural spline flow ({@link NeuralSplineFlow} defaults: 6 coupling layers,
 *       8 bins, tail bound 5, hidden 64) on the seed's two moons ({@code Moons.make(2000, 0.05, 0)},
 *       standardised), 3000 Adam steps of batch 256 with the learning rate decayed from 1e-3 to 1e-5
 *       on a cosine; held-out NLL on {@code Moons.make(2000, 0.05, 1)} standardised with the
 *       training statistics, next to the true density's NLL on the same points;</li>
 *   <li>{@code maf16}: an affine MAF (5 layers, hidden 64) on a 16-D mixture of 4 correlated
 *       Gaussians (5000 training, 5000 held-out points, standardised), against the best single
 *       full-covariance Gaussian and the true mixture.</li>
 * </ul>
 * Run as {@code java -cp core/target/classes:core/target/test-classes
 * org.flows4j.flows.FlowQualityCheck moons|maf16 [seed]}, or through {@code FlowQualityTest} with
 * {@code -Dflows4j.slow=true}.
 *
 * <p>The learning-rate schedule lives here because {@link MaximumLikelihood} has a constant rate:
 * the cosine is applied as constant segments of 50 steps, each a new {@link Adam} continuing the
 * previous one's state.
 */
public final class FlowQualityCheck {
    private FlowQualityCheck() {}

    /** Held-out NLLs of one moons run. */
    public record MoonsResult(double trainNll, double heldOutNll, double trueHeldOutNll, double trueTrainNll,
            double seconds) {}

    /** Held-out NLLs of the 16-D comparison. */
    public record MafResult(double mafTrainNll, double mafHeldOutNll, double gaussianHeldOutNll, double trueHeldOutNll,
            double seconds) {}

    static Tensor tensor(double[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[] flat = new double[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, flat, i * d, d);
        }
        return Tensor.of(DType.FLOAT32, flat, n, d);
    }

    /**
     * Adam with a cosine learning-rate decay from {@code lr} to {@code lr * finalFraction}, as
     * constant segments of {@code segment} steps (Adam's rate is fixed: each segment is a new Adam
     * restored from the previous one's state). Prints the held-out NLL {@code reports} times.
     */
    static void trainCosine(Flow flow, Tensor data, int steps, int batch, double lr, double finalFraction, int segment,
            Rng rng, Tensor heldOut, int reports) {
        List<Tensor> params = flow.parameters();
        LossGradient lg = LossGradient.forFlow(flow);
        Adam.State state = null;
        int n = data.size(0);
        int reportEvery = Math.max(1, steps / Math.max(1, reports));
        long t0 = System.nanoTime();
        double recent = 0;
        int count = 0;
        for (int start = 0; start < steps; start += segment) {
            double mid = start + segment / 2.0;
            double rate = lr * (finalFraction + (1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * mid / steps)));
            Adam adam = new Adam(params, rate);
            if (state != null) {
                adam.restore(state);
            }
            for (int s = start; s < Math.min(steps, start + segment); s++) {
                LossGradient.Value v = lg.compute(data.indexSelect(rng.randint(n, batch)));
                if (!Double.isFinite(v.loss())) {
                    throw new MaximumLikelihood.DivergedException("loss " + v.loss() + " at step " + s);
                }
                adam.step(v.gradients());
                recent += v.loss();
                count++;
                if ((s + 1) % reportEvery == 0) {
                    System.out.printf(Locale.ROOT, "  step %5d  lr %.2e  batch NLL %.4f  held-out %.4f  (%.0f s)%n", s + 1,
                            rate, recent / count, MaximumLikelihood.nll(flow, heldOut), (System.nanoTime() - t0) / 1e9);
                    recent = 0;
                    count = 0;
                }
            }
            state = adam.state();
        }
    }

    /** Mean true log-density of raw moons points, in standardised units. */
    static double trueMoonsNll(double[][] raw, Standardization st) {
        double total = 0;
        for (double[] p : raw) {
            total += MoonsEntropy.logDensity(p[0], p[1], 0.05);
        }
        return -total / raw.length - st.logAbsDet();
    }

    /** The moons check with the NeuralSplineFlow builder's defaults. */
    public static MoonsResult moons(long seed, int reports) {
        double[][] raw = Moons.make(2000, 0.05, 0);
        double[][] rawTest = Moons.make(2000, 0.05, 1);
        Standardization st = Standardization.fit(raw);
        Tensor train = tensor(st.apply(raw));
        Tensor test = tensor(st.apply(rawTest));
        Flow flow = NeuralSplineFlow.builder().build(new Rng(seed));
        long t0 = System.nanoTime();
        trainCosine(flow, train, 3000, 256, 1e-3, 0.01, 50, new Rng(seed + 1), test, reports);
        return new MoonsResult(MaximumLikelihood.nll(flow, train), MaximumLikelihood.nll(flow, test),
                trueMoonsNll(rawTest, st), trueMoonsNll(raw, st), (System.nanoTime() - t0) / 1e9);
    }

    /** The 16-D mixture check: affine MAF (5 layers, hidden 64) against a full-covariance Gaussian. */
    public static MafResult maf16(long seed, int reports) {
        int d = 16;
        Mixture mix = Mixture.random(4, d, new Rng(16));
        double[][] rawTrain = mix.sample(5000, new Rng(1));
        double[][] rawTest = mix.sample(5000, new Rng(2));
        Standardization st = Standardization.fit(rawTrain);
        double[][] train = st.apply(rawTrain);
        double[][] test = st.apply(rawTest);
        double gaussian = fullCovarianceGaussianNll(train, test);
        double truth = -mix.meanLogDensity(rawTest) - st.logAbsDet();
        Flow flow = Maf.builder().dim(d).layers(5).hidden(64).build(new Rng(seed));
        long t0 = System.nanoTime();
        trainCosine(flow, tensor(train), 3000, 256, 1e-3, 0.01, 50, new Rng(seed + 1), tensor(test), reports);
        return new MafResult(MaximumLikelihood.nll(flow, tensor(train)), MaximumLikelihood.nll(flow, tensor(test)),
                gaussian, truth, (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ 16-D Gaussian mixture

    /** A fixed mixture of correlated Gaussians: weights, means [K][D], Cholesky factors [K][D][D]. */
    record Mixture(double[] weights, double[][] means, double[][][] chol) {
        int dim() {
            return means[0].length;
        }

        static Mixture random(int k, int d, Rng rng) {
            double[] w = new double[k];
            double[][] mu = new double[k][d];
            double[][][] l = new double[k][d][d];
            double total = 0;
            for (int c = 0; c < k; c++) {
                w[c] = 0.5 + rng.nextDouble();
                total += w[c];
                for (int i = 0; i < d; i++) {
                    mu[c][i] = 2.5 * rng.nextGaussian();
                    for (int j = 0; j < i; j++) {
                        l[c][i][j] = 0.5 * rng.nextGaussian();
                    }
                    l[c][i][i] = 0.3 + 0.7 * rng.nextDouble();
                }
            }
            for (int c = 0; c < k; c++) {
                w[c] /= total;
            }
            return new Mixture(w, mu, l);
        }

        double[][] sample(int n, Rng rng) {
            int d = dim();
            double[][] x = new double[n][d];
            for (int r = 0; r < n; r++) {
                double u = rng.nextDouble();
                int c = 0;
                double acc = weights[0];
                while (u >= acc && c < weights.length - 1) {
                    acc += weights[++c];
                }
                double[] e = new double[d];
                for (int i = 0; i < d; i++) {
                    e[i] = rng.nextGaussian();
                }
                for (int i = 0; i < d; i++) {
                    double s = means[c][i];
                    for (int j = 0; j <= i; j++) {
                        s += chol[c][i][j] * e[j];
                    }
                    x[r][i] = s;
                }
            }
            return x;
        }

        /** Mean log-density of the rows (exact). */
        double meanLogDensity(double[][] x) {
            int d = dim();
            double total = 0;
            for (double[] row : x) {
                double[] lc = new double[weights.length];
                double mx = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < weights.length; c++) {
                    double[] z = new double[d];
                    double q = 0;
                    double logDet = 0;
                    for (int i = 0; i < d; i++) {
                        double s = row[i] - means[c][i];
                        for (int j = 0; j < i; j++) {
                            s -= chol[c][i][j] * z[j];
                        }
                        z[i] = s / chol[c][i][i];
                        q += z[i] * z[i];
                        logDet += Math.log(chol[c][i][i]);
                    }
                    lc[c] = Math.log(weights[c]) - 0.5 * q - logDet - 0.5 * d * Math.log(2 * Math.PI);
                    mx = Math.max(mx, lc[c]);
                }
                double s = 0;
                for (double v : lc) {
                    s += Math.exp(v - mx);
                }
                total += mx + Math.log(s);
            }
            return total / x.length;
        }
    }

    /** Held-out NLL of the maximum-likelihood single Gaussian (full covariance) fitted to train. */
    static double fullCovarianceGaussianNll(double[][] train, double[][] test) {
        int d = train[0].length;
        int n = train.length;
        double[] mu = new double[d];
        for (double[] r : train) {
            for (int i = 0; i < d; i++) {
                mu[i] += r[i] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] r : train) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[i][j] += (r[i] - mu[i]) * (r[j] - mu[j]) / n;
                }
            }
        }
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = cov[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
            }
        }
        Mixture single = new Mixture(new double[] {1}, new double[][] {mu}, new double[][][] {l});
        return -single.meanLogDensity(test);
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "moons";
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 0;
        if (which.equals("maf16")) {
            MafResult r = maf16(seed, 10);
            System.out.printf(Locale.ROOT, "16-D mixture, held-out NLL: MAF %.4f (train %.4f), full-covariance Gaussian "
                    + "%.4f, true density %.4f; %.0f s%n", r.mafHeldOutNll(), r.mafTrainNll(), r.gaussianHeldOutNll(),
                    r.trueHeldOutNll(), r.seconds());
        } else {
            MoonsResult r = moons(seed, 10);
            System.out.printf(Locale.ROOT, "two moons, NSF: held-out NLL %.4f (train %.4f); the true density scores "
                    + "%.4f on the held-out points and %.4f on the training points; %.0f s%n", r.heldOutNll(), r.trainNll(),
                    r.trueHeldOutNll(), r.trueTrainNll(), r.seconds());
        }
    }
}
