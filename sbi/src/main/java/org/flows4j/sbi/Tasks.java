package org.flows4j.sbi;

import java.util.List;
import org.apache.commons.math3.ode.FirstOrderDifferentialEquations;
import org.apache.commons.math3.ode.nonstiff.DormandPrince54Integrator;
import org.apache.commons.math3.ode.sampling.StepHandler;
import org.apache.commons.math3.ode.sampling.StepInterpolator;
import org.flows4j.data.NumpyRandomState;
import org.flows4j.tensor.Rng;

/** The sbibm tasks, as ../shared/reference/SBI.md defines them. */
public final class Tasks {
    private Tasks() {}

    public static final List<String> NAMES = List.of("two_moons", "gaussian_linear", "gaussian_mixture", "slcp",
            "lotka_volterra", "sir", "bernoulli_glm");

    /** The task of this name; IllegalArgumentException naming the known ones otherwise. */
    public static Task get(String name) {
        return switch (name) {
            case "two_moons" -> twoMoons();
            case "gaussian_linear" -> gaussianLinear();
            case "gaussian_mixture" -> gaussianMixture();
            case "slcp" -> slcp();
            case "lotka_volterra" -> lotkaVolterra();
            case "sir" -> sir();
            case "bernoulli_glm" -> bernoulliGlm();
            default -> throw new IllegalArgumentException("unknown task '" + name + "' (known: "
                    + String.join(", ", NAMES) + ")");
        };
    }

    private static final double SQRT_HALF = Math.sqrt(0.5);

    // ---------------------------------------------------------------- two moons

    public static Task twoMoons() {
        Simulator sim = Simulator.of(2, 2, (t, rng, x) -> {
            double[] p = moonNoise(rng);
            x[0] = p[0] - Math.abs(t[0] + t[1]) * SQRT_HALF;
            x[1] = p[1] + (-t[0] + t[1]) * SQRT_HALF;
        });
        Prior prior = Priors.boxUniform(2, -1, 1);
        Task.ExactPosterior exact = (n, xo, rng) -> {
            double[][] out = new double[n][];
            int k = 0;
            double[] th = new double[2];
            long tries = 0;
            while (k < n) {
                if (++tries > 1000L * n + 100_000) {
                    throw new IllegalStateException("two_moons exact posterior: observation is outside the support");
                }
                double[] p = moonNoise(rng);
                double q0 = p[0] - xo[0];
                double q1 = xo[1] - p[1];
                if (rng.nextDouble() < 0.5) {
                    q0 = -q0;
                }
                th[0] = SQRT_HALF * q0 - SQRT_HALF * q1;
                th[1] = SQRT_HALF * q0 + SQRT_HALF * q1;
                if (prior.inSupport(th)) {
                    out[k++] = th.clone();
                }
            }
            return out;
        };
        return new Task("two_moons", prior, sim, new double[] {.725, .606, .542}, exact);
    }

    /** p = (r cos a + 0.25, r sin a), a ~ U(-pi/2, pi/2), r ~ N(0.1, 0.01^2). */
    static double[] moonNoise(Rng rng) {
        double a = Math.PI * (rng.nextDouble() - 0.5);
        double r = 0.1 + 0.01 * rng.nextGaussian();
        return new double[] {r * Math.cos(a) + 0.25, r * Math.sin(a)};
    }

    // ---------------------------------------------------------------- gaussian linear

    public static Task gaussianLinear() {
        int d = 10;
        double[][] cov = new double[d][d];
        for (int i = 0; i < d; i++) {
            cov[i][i] = 0.1;
        }
        Prior prior = Priors.gaussian(new double[d], cov);
        double sd = Math.sqrt(0.1);
        Simulator sim = Simulator.of(d, d, (t, rng, x) -> {
            for (int i = 0; i < d; i++) {
                x[i] = t[i] + sd * rng.nextGaussian();
            }
        });
        double psd = Math.sqrt(0.05);
        Task.ExactPosterior exact = (n, xo, rng) -> {
            double[][] out = new double[n][d];
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < d; i++) {
                    out[k][i] = 0.5 * xo[i] + psd * rng.nextGaussian();
                }
            }
            return out;
        };
        return new Task("gaussian_linear", prior, sim, new double[] {.694, .552, .506}, exact);
    }

    // ---------------------------------------------------------------- gaussian mixture

    public static Task gaussianMixture() {
        Simulator sim = Simulator.of(2, 2, (t, rng, x) -> {
            double s = rng.nextDouble() < 0.5 ? 1.0 : 0.1;
            x[0] = t[0] + s * rng.nextGaussian();
            x[1] = t[1] + s * rng.nextGaussian();
        });
        return new Task("gaussian_mixture", Priors.boxUniform(2, -10, 10), sim, new double[] {.716, .615, .548},
                null);
    }

    // ---------------------------------------------------------------- slcp

    public static Task slcp() {
        Simulator sim = Simulator.of(5, 8, (t, rng, x) -> {
            double s1 = t[2] * t[2];
            double s2 = t[3] * t[3];
            double rho = Math.tanh(t[4]);
            double a = s1 * s1 + 1e-6;
            double b = rho * s1 * s2;
            double c = s2 * s2 + 1e-6;
            double l00 = Math.sqrt(a);
            double l10 = b / l00;
            double l11 = Math.sqrt(Math.max(c - l10 * l10, 0));
            for (int k = 0; k < 4; k++) {
                double z0 = rng.nextGaussian();
                double z1 = rng.nextGaussian();
                x[2 * k] = t[0] + l00 * z0;
                x[2 * k + 1] = t[1] + l10 * z0 + l11 * z1;
            }
        });
        return new Task("slcp", Priors.boxUniform(5, -3, 3), sim, new double[] {.975, .901, .831}, null);
    }

    // ---------------------------------------------------------------- ODE tasks

    /** Reference solver tolerance (Tsit5 in the benchmark; Dormand-Prince 5(4) here): rtol = atol = 1e-8. */
    public static final double ODE_TOLERANCE = 1e-8;

    /**
     * Integrates y' = f(t, y) from t0 with Dormand-Prince 5(4) at rtol = atol = 1e-8 and returns
     * the dense-output state at each of the increasing times (the first may equal t0).
     */
    static double[][] solve(FirstOrderDifferentialEquations ode, double t0, double[] y0, double[] times) {
        DormandPrince54Integrator integ = new DormandPrince54Integrator(1e-12, Double.POSITIVE_INFINITY,
                ODE_TOLERANCE, ODE_TOLERANCE);
        integ.setMaxEvaluations(200_000);
        double[][] out = new double[times.length][];
        int[] next = {0};
        while (next[0] < times.length && times[next[0]] <= t0) {
            out[next[0]++] = y0.clone();
        }
        integ.addStepHandler(new StepHandler() {
            @Override
            public void init(double t, double[] y, double tEnd) {}

            @Override
            public void handleStep(StepInterpolator in, boolean isLast) {
                double tc = in.getCurrentTime();
                while (next[0] < times.length && (times[next[0]] <= tc || isLast)) {
                    in.setInterpolatedTime(Math.min(times[next[0]], tc));
                    out[next[0]++] = in.getInterpolatedState().clone();
                }
            }
        });
        double[] y = y0.clone();
        integ.integrate(ode, t0, y, times[times.length - 1], y);
        return out;
    }

    public static Task lotkaVolterra() {
        double[] times = new double[10];
        for (int k = 0; k < 10; k++) {
            times[k] = 2.1 * k;
        }
        Simulator sim = Simulator.of(4, 20, (t, rng, x) -> {
            double alpha = t[0];
            double beta = t[1];
            double gamma = t[2];
            double delta = t[3];
            FirstOrderDifferentialEquations ode = new FirstOrderDifferentialEquations() {
                @Override
                public int getDimension() {
                    return 2;
                }

                @Override
                public void computeDerivatives(double tt, double[] u, double[] du) {
                    du[0] = alpha * u[0] - beta * u[0] * u[1];
                    du[1] = -gamma * u[1] + delta * u[0] * u[1];
                }
            };
            double[][] u = solve(ode, 0, new double[] {30, 1}, times);
            for (int k = 0; k < 10; k++) {
                for (int s = 0; s < 2; s++) {
                    double m = Math.log(Math.min(Math.max(u[k][s], 1e-10), 1e4));
                    x[s * 10 + k] = Math.exp(m + 0.1 * rng.nextGaussian());
                }
            }
        });
        Prior prior = Priors.logNormal(new double[] {-0.125, -3, -0.125, -3}, new double[] {0.5, 0.5, 0.5, 0.5});
        return new Task("lotka_volterra", prior, sim, new double[] {.999, .997, .981}, null);
    }

    public static Task sir() {
        double n = 1e6;
        double[] times = new double[10];
        for (int k = 0; k < 10; k++) {
            times[k] = 17 * k;
        }
        Simulator sim = Simulator.of(2, 10, (t, rng, x) -> {
            double b = t[0];
            double g = t[1];
            FirstOrderDifferentialEquations ode = new FirstOrderDifferentialEquations() {
                @Override
                public int getDimension() {
                    return 3;
                }

                @Override
                public void computeDerivatives(double tt, double[] u, double[] du) {
                    double inf = b * u[0] * u[1] / n;
                    du[0] = -inf;
                    du[1] = inf - g * u[1];
                    du[2] = g * u[1];
                }
            };
            double[][] u = solve(ode, 0, new double[] {n - 1, 1, 0}, times);
            for (int k = 0; k < 10; k++) {
                double p = Math.min(Math.max(u[k][1] / n, 0), 1);
                x[k] = binomial(1000, p, rng);
            }
        });
        Prior prior = Priors.logNormal(new double[] {Math.log(0.4), Math.log(0.125)}, new double[] {0.5, 0.2});
        return new Task("sir", prior, sim, new double[] {.815, .680, .585}, null);
    }

    /** Binomial(trials, p) as a count of Bernoulli successes (exact; trials is small here). */
    static int binomial(int trials, double p, Rng rng) {
        if (!(p >= 0 && p <= 1)) {
            throw new ArithmeticException("binomial probability " + p);
        }
        int k = 0;
        for (int i = 0; i < trials; i++) {
            if (rng.nextDouble() < p) {
                k++;
            }
        }
        return k;
    }

    // ---------------------------------------------------------------- bernoulli glm

    /** The task's stimulus: numpy RandomState(42).randn(100), as float32 (as sbibm stores it). */
    public static double[] bernoulliGlmStimulus() {
        NumpyRandomState rs = new NumpyRandomState(42);
        double[] s = new double[100];
        for (int i = 0; i < 100; i++) {
            s[i] = (float) rs.standardNormal();
        }
        return s;
    }

    public static Task bernoulliGlm() {
        double[] stim = bernoulliGlmStimulus();
        int tn = stim.length;
        int m = 9;
        double[][] design = new double[tn][m + 1];
        for (int t = 0; t < tn; t++) {
            design[t][0] = 1;
            for (int j = 0; j < m; j++) {
                design[t][1 + j] = t >= j ? stim[t - j] : 0;
            }
        }
        // precision P: P[0,0] = 0.5, P[1:,1:] = F^T F, F = D^2 + diag(sqrt(i/9)), D = I - subdiagonal ones
        double[][] dm = new double[m][m];
        for (int i = 0; i < m; i++) {
            dm[i][i] = 1;
            if (i > 0) {
                dm[i][i - 1] = -1;
            }
        }
        double[][] f = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += dm[i][k] * dm[k][j];
                }
                f[i][j] = s + (i == j ? Math.sqrt((double) i / m) : 0);
            }
        }
        double[][] prec = new double[m + 1][m + 1];
        prec[0][0] = 0.5;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += f[k][i] * f[k][j];
                }
                prec[1 + i][1 + j] = s;
            }
        }
        Prior prior = Priors.gaussian(new double[m + 1], Linalg.inverseSpd(prec));
        Simulator sim = Simulator.of(m + 1, m + 1, (th, rng, x) -> {
            int[] y = new int[tn];
            int sum = 0;
            for (int t = 0; t < tn; t++) {
                double psi = 0;
                for (int j = 0; j <= m; j++) {
                    psi += design[t][j] * th[j];
                }
                double p = 1 / (1 + Math.exp(-psi));
                y[t] = rng.nextDouble() < p ? 1 : 0;
                sum += y[t];
            }
            x[0] = sum;
            for (int l = 0; l < m; l++) {
                double s = 0;
                for (int t = 0; t + l < tn; t++) {
                    s += y[t + l] * stim[t];
                }
                x[1 + l] = s;
            }
        });
        return new Task("bernoulli_glm", prior, sim, new double[] {.863, .678, .559}, null);
    }
}
