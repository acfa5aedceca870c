package org.flows4j.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every differentiable op, checked against finite differences in float64, first and second order. */
class OpGradientTest {

    /** How the random inputs of a case are drawn. */
    enum Domain {
        ANY, POSITIVE, AWAY_FROM_ZERO
    }

    record Case(String name, int[][] shapes, Domain domain, Function<List<Tensor>, Tensor> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, Domain domain, Function<List<Tensor>, Tensor> op, int[]... shapes) {
        return new Case(name, shapes, domain, op);
    }

    static Stream<Arguments> cases() {
        Domain A = Domain.ANY;
        Domain P = Domain.POSITIVE;
        Domain Z = Domain.AWAY_FROM_ZERO;
        Tensor cond = Tensor.of(new double[] {1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1}, 3, 4);
        List<Case> cs = List.of(
                c("add broadcast", A, x -> x.get(0).add(x.get(1)), new int[] {3, 4}, new int[] {4}),
                c("sub broadcast both", A, x -> x.get(0).sub(x.get(1)), new int[] {3, 1}, new int[] {1, 4}),
                c("mul broadcast rank3", A, x -> x.get(0).mul(x.get(1)), new int[] {2, 3, 4}, new int[] {3, 1}),
                c("div", P, x -> x.get(0).div(x.get(1)), new int[] {3, 4}, new int[] {3, 4}),
                c("div broadcast", P, x -> x.get(0).div(x.get(1)), new int[] {3, 4}, new int[] {1, 4}),
                c("add scalar", A, x -> x.get(0).add(1.5), new int[] {5}),
                c("sub scalar", A, x -> x.get(0).sub(0.5), new int[] {5}),
                c("mul scalar", A, x -> x.get(0).mul(-2.5), new int[] {2, 3}),
                c("div scalar", A, x -> x.get(0).div(3.0), new int[] {2, 3}),
                c("rsub", A, x -> x.get(0).rsub(2.0), new int[] {2, 3}),
                c("maximum", A, x -> x.get(0).maximum(x.get(1)), new int[] {3, 4}, new int[] {4}),
                c("minimum", A, x -> x.get(0).minimum(x.get(1)), new int[] {3, 4}, new int[] {3, 4}),
                c("neg", A, x -> x.get(0).neg(), new int[] {4}),
                c("exp", A, x -> x.get(0).exp(), new int[] {3, 4}),
                c("log", P, x -> x.get(0).log(), new int[] {3, 4}),
                c("tanh", A, x -> x.get(0).tanh(), new int[] {3, 4}),
                c("sigmoid", A, x -> x.get(0).sigmoid(), new int[] {3, 4}),
                c("softplus", A, x -> x.get(0).mul(4).softplus(), new int[] {3, 4}),
                c("relu", Z, x -> x.get(0).relu(), new int[] {3, 4}),
                c("sqrt", P, x -> x.get(0).sqrt(), new int[] {3, 4}),
                c("square", A, x -> x.get(0).square(), new int[] {3, 4}),
                c("abs", Z, x -> x.get(0).abs(), new int[] {3, 4}),
                c("sin", A, x -> x.get(0).sin(), new int[] {3, 4}),
                c("cos", A, x -> x.get(0).cos(), new int[] {3, 4}),
                c("pow 2.5", P, x -> x.get(0).pow(2.5), new int[] {3, 4}),
                c("pow -1", P, x -> x.get(0).pow(-1), new int[] {3, 4}),
                c("where", A, x -> Tensor.where(cond, x.get(0), x.get(1)), new int[] {3, 4}, new int[] {3, 4}),
                c("sum all", A, x -> x.get(0).sum(), new int[] {3, 4}),
                c("sum axis 0 keep", A, x -> x.get(0).sum(0, true), new int[] {3, 4}),
                c("sum axis 1", A, x -> x.get(0).sum(1, false), new int[] {2, 3, 4}),
                c("mean all", A, x -> x.get(0).mean(), new int[] {3, 4}),
                c("mean axis", A, x -> x.get(0).mean(1, false), new int[] {3, 4}),
                c("max axis", A, x -> x.get(0).max(1, false), new int[] {3, 4}),
                c("logSumExp", A, x -> x.get(0).mul(3).logSumExp(1, false), new int[] {3, 4}),
                c("sumTo", A, x -> x.get(0).sumTo(1, 4), new int[] {3, 4}),
                c("broadcastTo", A, x -> x.get(0).broadcastTo(3, 4), new int[] {1, 4}),
                c("matmul", A, x -> x.get(0).matmul(x.get(1)), new int[] {3, 5}, new int[] {5, 2}),
                c("mm A^T B", A, x -> Tensor.mm(x.get(0), x.get(1), true, false), new int[] {5, 3}, new int[] {5, 2}),
                c("mm A B^T", A, x -> Tensor.mm(x.get(0), x.get(1), false, true), new int[] {3, 5}, new int[] {2, 5}),
                c("mm A^T B^T", A, x -> Tensor.mm(x.get(0), x.get(1), true, true), new int[] {5, 3}, new int[] {2, 5}),
                c("transpose", A, x -> x.get(0).t(), new int[] {3, 4}),
                c("reshape", A, x -> x.get(0).reshape(4, 3), new int[] {3, 4}),
                c("squeeze", A, x -> x.get(0).squeeze(1), new int[] {3, 1}),
                c("unsqueeze", A, x -> x.get(0).unsqueeze(0), new int[] {3, 4}),
                c("slice", A, x -> x.get(0).slice(1, 1, 3), new int[] {3, 4}),
                c("slice rows", A, x -> x.get(0).slice(0, 1, 2), new int[] {3, 4}),
                c("concat axis 1", A, x -> Tensor.concat(1, x.get(0), x.get(1)), new int[] {3, 2}, new int[] {3, 4}),
                c("concat axis 0", A, x -> Tensor.concat(0, x.get(0), x.get(1)), new int[] {1, 4}, new int[] {3, 4}),
                c("indexSelect with repeats", A, x -> x.get(0).indexSelect(new int[] {2, 0, 2, 1}), new int[] {3, 4}),
                c("gatherLast", A, x -> x.get(0).gatherLast(new int[] {0, 3, 3, 1, 2, 2}, 2), new int[] {3, 4}),
                c("composite: linear layer + tanh", A,
                        x -> Tensor.mm(x.get(0), x.get(1), false, true).add(x.get(2)).tanh(),
                        new int[] {4, 3}, new int[] {5, 3}, new int[] {5}));
        return cs.stream().map(Arguments::of);
    }

    static List<Tensor> inputs(Case c, Rng rng) {
        List<Tensor> xs = new ArrayList<>();
        for (int[] shape : c.shapes()) {
            Tensor t = Tensor.randn(rng, DType.FLOAT64, shape);
            double[] d = t.rawDoubles();
            for (int i = 0; i < d.length; i++) {
                switch (c.domain()) {
                    case POSITIVE -> d[i] = 0.5 + Math.abs(d[i]);
                    case AWAY_FROM_ZERO -> d[i] = Math.copySign(0.2 + Math.abs(d[i]), d[i]);
                    default -> { }
                }
            }
            xs.add(t);
        }
        return xs;
    }

    /** Reduces an op's output to a scalar that is quadratic in it, so second derivatives are never trivially zero. */
    static Function<List<Tensor>, Tensor> scalarised(Case c) {
        return xs -> {
            Tensor out = c.op().apply(xs);
            Tensor w = Tensor.randn(new Rng(7), DType.FLOAT64, out.shape());
            return out.mul(w).sum().add(out.mul(out).mul(w).sum().mul(0.5));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstOrder(Case c) {
        GradCheck.checkFirstOrder(c.name(), scalarised(c), inputs(c, new Rng(c.name().hashCode())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondOrder(Case c) {
        GradCheck.checkSecondOrder(c.name(), scalarised(c), inputs(c, new Rng(c.name().hashCode())), new Rng(3));
    }
}
