package org.flows4j.snf;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.nn.Module;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.ElementwiseTransformer;
import org.flows4j.transforms.RationalQuadraticSpline;
import org.flows4j.transforms.ScaledTanhAffineTransformer;
import org.flows4j.transforms.Transform;

/**
 * A coupling layer on split halves, as the stochastic-normalizing-flows reference code builds them
 * (bgflow's SplitFlow + CouplingFlow + SwapFlow): the coordinates are split into a first half
 * [0, floor(D/2)) and a second half; one half conditions, the other is transformed elementwise by
 * a {@link ElementwiseTransformer} whose parameters come from one or more separate ReLU networks on
 * the conditioning half (their outputs concatenated, in the transformer's chunk layout). The
 * networks see only the conditioning half (no masked zeros).
 *
 * <p>Direction: as everywhere in flows4j, {@link #forward} goes from data to the base and
 * {@link #inverse} from the base to data; the reference code's sampling direction (its
 * "forward") is {@link #inverse} here and applies the transformer's forward map (for the affine
 * coupling y = x exp(s) + t), so a model initialises and trains as the paper's does.
 */
public final class SplitCoupling implements Transform {
    private final int dim;
    private final int split;
    private final boolean transformSecond;
    private final List<Mlp> nets;
    private final ElementwiseTransformer transformer;

    /**
     * @param dim number of coordinates (>= 2)
     * @param transformSecond true to transform the second half conditioned on the first, false
     *        for the other way round (the paper alternates, via swaps)
     * @param nets networks from the conditioning half to the transformer's parameters; their
     *        output widths must add up to paramsPerDim * (size of the transformed half)
     */
    public SplitCoupling(int dim, boolean transformSecond, List<Mlp> nets, ElementwiseTransformer transformer) {
        if (dim < 2) {
            throw new IllegalArgumentException("a coupling needs dimension >= 2, got " + dim);
        }
        this.dim = dim;
        this.split = dim / 2;
        this.transformSecond = transformSecond;
        this.nets = List.copyOf(nets);
        this.transformer = java.util.Objects.requireNonNull(transformer, "transformer");
        int conditioning = transformSecond ? split : dim - split;
        int transformed = dim - conditioning;
        int outs = 0;
        for (Mlp m : this.nets) {
            if (m.in() != conditioning) {
                throw new IllegalArgumentException("a network takes " + m.in() + " inputs; the conditioning half has "
                        + conditioning);
            }
            outs += m.out();
        }
        if (outs != transformer.paramsPerDim() * transformed) {
            throw new IllegalArgumentException("networks give " + outs + " parameters; the transformer needs "
                    + transformer.paramsPerDim() * transformed);
        }
    }

    private static int[] sizes(int in, int[] hidden, int out) {
        int[] s = new int[hidden.length + 2];
        s[0] = in;
        System.arraycopy(hidden, 0, s, 1, hidden.length);
        s[s.length - 1] = out;
        return s;
    }

    private static int conditioningSize(int dim, boolean transformSecond) {
        return transformSecond ? dim / 2 : dim - dim / 2;
    }

    /**
     * The paper's RealNVP coupling: separate scale and shift ReLU networks, log-scale
     * exp(log_alpha) tanh(s) with a trainable per-layer log_alpha initialised to -1.
     */
    public static SplitCoupling paperAffine(int dim, boolean transformSecond, int[] hidden, Rng rng, DType dtype) {
        int c = conditioningSize(dim, transformSecond);
        int t = dim - c;
        Mlp shift = new Mlp(sizes(c, hidden, t), Activation.RELU, rng, dtype);
        Mlp scale = new Mlp(sizes(c, hidden, t), Activation.RELU, rng, dtype);
        return new SplitCoupling(dim, transformSecond, List.of(scale, shift), ScaledTanhAffineTransformer.perLayer(dtype));
    }

    /**
     * A neural-spline coupling (Durkan et al. 2019) as the paper's NSF: rational-quadratic spline
     * with {@code bins} bins on [-tailBound, tailBound], linear tails, minimum bin width, height and
     * derivative 1e-3; separate ReLU networks for the widths, heights and interior derivatives.
     */
    public static SplitCoupling spline(int dim, boolean transformSecond, int[] hidden, int bins, double tailBound,
            Rng rng, DType dtype) {
        int c = conditioningSize(dim, transformSecond);
        int t = dim - c;
        Mlp widths = new Mlp(sizes(c, hidden, bins * t), Activation.RELU, rng, dtype);
        Mlp heights = new Mlp(sizes(c, hidden, bins * t), Activation.RELU, rng, dtype);
        Mlp slopes = new Mlp(sizes(c, hidden, (bins - 1) * t), Activation.RELU, rng, dtype);
        return new SplitCoupling(dim, transformSecond, List.of(widths, heights, slopes),
                new RationalQuadraticSpline(bins, tailBound));
    }

    @Override
    public int dim() {
        return dim;
    }

    public boolean transformsSecondHalf() {
        return transformSecond;
    }

    public ElementwiseTransformer transformer() {
        return transformer;
    }

    public List<Mlp> nets() {
        return nets;
    }

    private Tensor params(Tensor conditioning) {
        if (!org.flows4j.tensor.Autograd.isGradEnabled() && conditioning.size(0) >= 64
                && FastNets.supports(nets, conditioning)) {
            return FastNets.forward(nets, conditioning);
        }
        if (nets.size() == 1) {
            return nets.get(0).forward(conditioning);
        }
        Tensor[] outs = new Tensor[nets.size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = nets.get(i).forward(conditioning);
        }
        return Tensor.concat(1, outs);
    }

    private Result apply(Tensor in, boolean towardsData) {
        if (in.rank() != 2 || in.size(1) != dim) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim + "], got "
                    + java.util.Arrays.toString(in.shape()));
        }
        Tensor first = in.slice(1, 0, split);
        Tensor second = in.slice(1, split, dim);
        Tensor cond = transformSecond ? first : second;
        Tensor target = transformSecond ? second : first;
        if (dim == 2 && !org.flows4j.tensor.Autograd.isGradEnabled() && in.size(0) >= 1024
                && in.dtype() == DType.FLOAT32 && OneInputCoupling.supports(nets)) {
            // 2-d: networks of one input in their piecewise-linear form, no intermediate tensors
            double[][] r = null;
            if (transformer instanceof RationalQuadraticSpline rq) {
                r = OneInputCoupling.spline(nets, rq, cond.rawFloats(), target.rawFloats(), !towardsData);
            } else if (transformer instanceof ScaledTanhAffineTransformer a && a.logAlpha().numel() == 1) {
                r = OneInputCoupling.affine(nets, Math.exp(a.logAlpha().getFlat(0)), cond.rawFloats(),
                        target.rawFloats(), towardsData);
            }
            if (r != null) {
                int n = in.size(0);
                Tensor o = Tensor.of(DType.FLOAT32, r[0], n, 1);
                Tensor out = transformSecond ? Tensor.concat(1, first, o) : Tensor.concat(1, o, second);
                return new Result(out, Tensor.of(DType.FLOAT32, r[1], n));
            }
        }
        Tensor p = params(cond);
        ElementwiseTransformer.Output o;
        if (transformer instanceof RationalQuadraticSpline rq && !org.flows4j.tensor.Autograd.isGradEnabled()) {
            o = FastSpline.apply(rq, target, p, !towardsData);
        } else {
            o = towardsData ? transformer.forward(target, p) : transformer.inverse(target, p);
        }
        Tensor out = transformSecond ? Tensor.concat(1, first, o.y()) : Tensor.concat(1, o.y(), second);
        return new Result(out, o.logAbsDerivative().sum(1, false));
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        return apply(x, false);
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        return apply(y, true);
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>();
        for (Mlp m : nets) {
            ps.addAll(m.parameters());
        }
        if (transformer instanceof Module m) {
            ps.addAll(m.parameters());
        }
        return ps;
    }
}
