package org.flows4j.transforms;

import java.util.List;
import org.flows4j.tensor.Tensor;

/**
 * A masked coupling layer (RealNVP, Dinh et al. 2017): coordinates with mask 1 pass through
 * unchanged and, multiplied by the mask, feed the conditioner; coordinates with mask 0 are
 * transformed elementwise by the transformer with the conditioner's parameters.
 * y = m * x + (1 - m) * f(x; conditioner(m * x, context)), log|det J| = sum over (1 - m) of log|f'|.
 */
public final class Coupling implements Transform {
    private final double[] mask;
    private final Tensor maskTensor;
    private final Tensor inverseMaskTensor;
    private final Conditioner conditioner;
    private final ElementwiseTransformer transformer;

    public Coupling(double[] mask, Conditioner conditioner, ElementwiseTransformer transformer,
            org.flows4j.tensor.DType dtype) {
        int dim = mask.length;
        int kept = 0;
        for (double m : mask) {
            if (m != 0 && m != 1) {
                throw new IllegalArgumentException("mask entries must be 0 or 1, got " + m);
            }
            kept += (int) m;
        }
        if (kept == 0 || kept == dim) {
            throw new IllegalArgumentException("a coupling mask must keep some and transform some coordinates");
        }
        this.mask = mask.clone();
        double[] inv = new double[dim];
        for (int i = 0; i < dim; i++) {
            inv[i] = 1 - mask[i];
        }
        this.maskTensor = Tensor.of(dtype, this.mask, 1, dim);
        this.inverseMaskTensor = Tensor.of(dtype, inv, 1, dim);
        this.conditioner = conditioner;
        this.transformer = transformer;
    }

    /** Masks alternating between (1, 0, 1, 0, ...) and (0, 1, 0, 1, ...), the seed's pattern for even layers. */
    public static double[] alternatingMask(int dim, int layer) {
        double[] m = new double[dim];
        for (int i = 0; i < dim; i++) {
            m[i] = (i + layer) % 2 == 0 ? 1 : 0;
        }
        return m;
    }

    public double[] mask() {
        return mask.clone();
    }

    public Conditioner conditioner() {
        return conditioner;
    }

    public ElementwiseTransformer transformer() {
        return transformer;
    }

    @Override
    public int dim() {
        return mask.length;
    }

    private void check(Tensor x) {
        if (x.rank() != 2 || x.size(1) != mask.length) {
            throw new IllegalArgumentException("expected points of shape [batch, " + mask.length + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        check(x);
        Tensor kept = x.mul(maskTensor);
        Tensor params = conditioner.apply(kept, context);
        ElementwiseTransformer.Output out = transformer.forward(x, params);
        Tensor y = kept.add(out.y().mul(inverseMaskTensor));
        Tensor logDet = out.logAbsDerivative().mul(inverseMaskTensor).sum(1, false);
        return new Result(y, logDet);
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        check(y);
        Tensor kept = y.mul(maskTensor);
        Tensor params = conditioner.apply(kept, context);
        ElementwiseTransformer.Output out = transformer.inverse(y, params);
        Tensor x = kept.add(out.y().mul(inverseMaskTensor));
        Tensor logDet = out.logAbsDerivative().mul(inverseMaskTensor).sum(1, false);
        return new Result(x, logDet);
    }

    /** The conditioner's parameters, then the transformer's if it has any (a {@link org.flows4j.nn.Module}). */
    @Override
    public List<Tensor> parameters() {
        if (transformer instanceof org.flows4j.nn.Module m && !m.parameters().isEmpty()) {
            List<Tensor> ps = new java.util.ArrayList<>(conditioner.parameters());
            ps.addAll(m.parameters());
            return ps;
        }
        return conditioner.parameters();
    }
}
