package org.flows4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Finite-difference checks of reverse-mode gradients in float64: first order (the gradient of a
 * scalar function) and second order (Hessian-vector products through a differentiable gradient).
 */
public final class GradCheck {
    private GradCheck() {}

    /** Central differences of f at inputs, one coordinate at a time. */
    static double[][] numericGradient(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, double h) {
        double[][] out = new double[inputs.size()][];
        for (int k = 0; k < inputs.size(); k++) {
            Tensor x = inputs.get(k);
            double[] data = x.rawDoubles();
            out[k] = new double[data.length];
            for (int i = 0; i < data.length; i++) {
                double orig = data[i];
                data[i] = orig + h;
                double fp = f.apply(inputs).item();
                data[i] = orig - h;
                double fm = f.apply(inputs).item();
                data[i] = orig;
                out[k][i] = (fp - fm) / (2 * h);
            }
        }
        return out;
    }

    /** Asserts autodiff's gradient of scalar f equals central differences. */
    public static void checkFirstOrder(String name, Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        List<Tensor> leaves = leaves(inputs);
        List<Tensor> grads = Autograd.grad(f.apply(leaves), leaves);
        double[][] num = numericGradient(f, leaves, 1e-6);
        for (int k = 0; k < leaves.size(); k++) {
            assertClose(name + " d/d(input " + k + ")", grads.get(k).toDoubleArray(), num[k], 1e-6);
        }
    }

    /**
     * Asserts the gradient of (grad f . v), computed by differentiating autodiff's own gradient
     * graph, equals central differences of the first-order gradient: a Hessian-vector check.
     */
    public static void checkSecondOrder(String name, Function<List<Tensor>, Tensor> f, List<Tensor> inputs, Rng rng) {
        List<Tensor> leaves = leaves(inputs);
        List<Tensor> vs = new ArrayList<>();
        for (Tensor x : leaves) {
            vs.add(Tensor.randn(rng, DType.FLOAT64, x.shape()));
        }
        Function<List<Tensor>, Tensor> gradDotV = xs -> {
            List<Tensor> g = Autograd.grad(f.apply(xs), xs, null, true);
            Tensor acc = Tensor.scalar(0, DType.FLOAT64);
            for (int k = 0; k < xs.size(); k++) {
                acc = acc.add(g.get(k).mul(vs.get(k)).sum());
            }
            return acc;
        };
        List<Tensor> hv = Autograd.grad(gradDotV.apply(leaves), leaves);
        double[][] num = numericGradient(gradDotV, leaves, 1e-5);
        for (int k = 0; k < leaves.size(); k++) {
            assertClose(name + " Hv wrt input " + k, hv.get(k).toDoubleArray(), num[k], 1e-5);
        }
    }

    private static List<Tensor> leaves(List<Tensor> inputs) {
        List<Tensor> leaves = new ArrayList<>();
        for (Tensor t : inputs) {
            if (t.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradient checks run in float64");
            }
            leaves.add(t.copy().requireGrad());
        }
        return leaves;
    }

    static void assertClose(String what, double[] actual, double[] expected, double tol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            double scale = Math.max(1.0, Math.abs(expected[i]));
            assertThat(Math.abs(actual[i] - expected[i]) / scale)
                    .as("%s [%d]: autodiff %s vs finite differences %s", what, i, actual[i], expected[i])
                    .isLessThan(tol);
        }
    }
}
