package org.flows4j.sbi;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.flows.Flow;
import org.flows4j.nn.Linear;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Conditioner;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.LuLinear;
import org.flows4j.transforms.RationalQuadraticSpline;
import org.flows4j.transforms.Transform;

/**
 * The conditional neural spline flow of the sbi package (its {@code build_nsf}, on nflows), which
 * the sbibm benchmark's NPE trains: for each of T transforms, a rational-quadratic spline coupling
 * (K bins, linear tails beyond B) with alternating masks (layer i transforms the coordinates of
 * parity i, from the first), conditioned by nflows' residual network, then an LU linear layer
 * initialised to the identity; standard normal base.
 *
 * <p>The residual conditioner (nflows {@code ResidualNet}, 2 blocks, ReLU, no batch norm, no
 * dropout): an initial linear layer on [kept coordinates, context] to H units; each block adds
 * {@code linear2(relu(linear1(relu(t)))) * sigmoid(linear_c(context))} to t (the context gate is
 * nflows' GLU), its second layer initialised uniform in +-1e-3 so each block starts near the
 * identity; a final linear layer to the spline parameters, whose unnormalised bin widths and
 * heights are divided by sqrt(H) as nflows' spline coupling does. Other layers are initialised as
 * PyTorch's nn.Linear (uniform +-1/sqrt(fan in), the fan in counting the kept coordinates and the
 * context). The conditioner sees all D coordinates with the transformed ones zeroed and emits
 * parameters for all D (those of kept coordinates are unused): the same function as nflows'.
 *
 * <p>Known differences from nflows: the LU diagonal is exp(log d) rather than softplus(u) + 1e-3,
 * and the first layer has (zero-input) weights for the transformed coordinates, which receive no
 * gradient. Theta and x are z-scored outside the flow (by {@link Npe}).
 */
public final class SbiNsf {
    private SbiNsf() {}

    /** Builds the flow over theta in R^dim given a context of contextDim values. */
    public static Flow build(int dim, int contextDim, int transforms, int bins, double tailBound, int hidden,
            int blocks, Rng rng) {
        if (dim < 2) {
            throw new IllegalArgumentException("the sbi NSF needs dimension >= 2, got " + dim);
        }
        if (transforms < 1 || bins < 2 || hidden < 1 || blocks < 0 || contextDim < 0) {
            throw new IllegalArgumentException("bad NSF settings");
        }
        RationalQuadraticSpline spline = new RationalQuadraticSpline(bins, tailBound);
        int perDim = spline.paramsPerDim();
        List<Transform> parts = new ArrayList<>();
        for (int i = 0; i < transforms; i++) {
            // Coupling's mask marks kept coordinates with 1; nflows' layer i transforms parity i % 2
            double[] kept = Coupling.alternatingMask(dim, i + 1);
            int nKept = 0;
            for (double m : kept) {
                nKept += m > 0 ? 1 : 0;
            }
            ResidualConditioner net = new ResidualConditioner(dim, nKept, contextDim, hidden, blocks, perDim, bins,
                    rng);
            parts.add(new Coupling(kept, net, spline, DType.FLOAT32));
            parts.add(identityLu(dim));
        }
        return new Flow(new StandardNormal(dim), new Composite(parts), DType.FLOAT32);
    }

    static LuLinear identityLu(int dim) {
        int[] perm = new int[dim];
        for (int j = 0; j < dim; j++) {
            perm[j] = j;
        }
        int m = dim * (dim - 1) / 2;
        return new LuLinear(perm, Tensor.zeros(DType.FLOAT32, m), Tensor.zeros(DType.FLOAT32, m),
                Tensor.zeros(DType.FLOAT32, dim), Tensor.zeros(DType.FLOAT32, dim));
    }

    /** nflows' ResidualNet as a coupling conditioner; see the class comment. */
    static final class ResidualConditioner implements Conditioner {
        private final int contextDim;
        private final Linear initial;
        private final Linear[] first;
        private final Linear[] second;
        private final Linear[] gate;
        private final Linear last;
        private final Tensor outScale;

        ResidualConditioner(int dim, int nKept, int contextDim, int hidden, int blocks, int perDim, int bins,
                Rng rng) {
            this.contextDim = contextDim;
            initial = linear(dim + contextDim, hidden, nKept + contextDim, rng);
            first = new Linear[blocks];
            second = new Linear[blocks];
            gate = new Linear[blocks];
            for (int b = 0; b < blocks; b++) {
                if (contextDim > 0) {
                    gate[b] = linear(contextDim, hidden, contextDim, rng);
                }
                first[b] = linear(hidden, hidden, hidden, rng);
                second[b] = new Linear(Tensor.uniform(rng, DType.FLOAT32, -1e-3, 1e-3, hidden, hidden),
                        Tensor.uniform(rng, DType.FLOAT32, -1e-3, 1e-3, hidden));
            }
            int out = perDim * dim;
            last = linear(hidden, out, hidden, rng);
            // chunk layout: parameter p of coordinate i at column p * dim + i; widths p < K, heights K <= p < 2K
            float[] scale = new float[out];
            float s = (float) (1 / Math.sqrt(hidden));
            for (int c = 0; c < out; c++) {
                scale[c] = c < 2 * bins * dim ? s : 1f;
            }
            outScale = Tensor.of(scale, out);
        }

        /** PyTorch's nn.Linear initialisation with the given fan in. */
        private static Linear linear(int in, int out, int fanIn, Rng rng) {
            double bound = 1 / Math.sqrt(fanIn);
            return new Linear(Tensor.uniform(rng, DType.FLOAT32, -bound, bound, out, in),
                    Tensor.uniform(rng, DType.FLOAT32, -bound, bound, out));
        }

        @Override
        public int contextDim() {
            return contextDim;
        }

        @Override
        public Tensor apply(Tensor input, Tensor context) {
            if (contextDim > 0 && (context == null || context.size(1) != contextDim)) {
                throw new IllegalArgumentException("this conditioner needs a context of width " + contextDim);
            }
            Tensor t = initial.forward(contextDim > 0 ? Tensor.concat(1, input, context) : input);
            for (int b = 0; b < first.length; b++) {
                Tensor u = second[b].forward(first[b].forward(t.relu()).relu());
                if (gate[b] != null) {
                    u = u.mul(gate[b].forward(context).sigmoid());
                }
                t = t.add(u);
            }
            return last.forward(t).mul(outScale);
        }

        @Override
        public List<Tensor> parameters() {
            List<Tensor> ps = new ArrayList<>(initial.parameters());
            for (int b = 0; b < first.length; b++) {
                if (gate[b] != null) {
                    ps.addAll(gate[b].parameters());
                }
                ps.addAll(first[b].parameters());
                ps.addAll(second[b].parameters());
            }
            ps.addAll(last.parameters());
            return ps;
        }
    }
}
