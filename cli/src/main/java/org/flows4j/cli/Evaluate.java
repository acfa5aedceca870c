package org.flows4j.cli;

import java.util.Optional;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Standardized;
import org.flows4j.fused.FusedCouplingFlow;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Standardize;
import org.flows4j.transforms.Transform;

/**
 * Log-densities and samples of a trained flow, on the fused multi-threaded kernels when the flow
 * (or the flow behind its standardisation) has them, else through the ordinary ops in chunks.
 */
final class Evaluate {
    private static final int CHUNK = 1 << 16;

    private Evaluate() {}

    /** Fused kernels for a flow, with the standardisation in front of them (null if none). */
    private record Kernels(FusedCouplingFlow fused, Standardize standardize) {}

    private static Optional<Kernels> kernels(Flow flow) {
        Optional<FusedCouplingFlow> direct = FusedCouplingFlow.of(flow);
        if (direct.isPresent()) {
            return Optional.of(new Kernels(direct.get(), null));
        }
        return Standardized.split(flow)
                .flatMap(p -> FusedCouplingFlow.of(p.inner()).map(f -> new Kernels(f, p.standardize())));
    }

    /** log p of each row of {@code x}. */
    static double[] logProb(Flow flow, Tensor x, int threads) {
        Optional<Kernels> k = kernels(flow);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            if (k.isPresent() && k.get().standardize() == null) {
                return widen(k.get().fused().logProb(x, threads));
            }
            if (k.isPresent()) {
                Transform.Result s = k.get().standardize().forward(x);
                double[] lp = widen(k.get().fused().logProb(s.y(), threads));
                double[] logDet = s.logAbsDet().toDoubleArray();
                for (int i = 0; i < lp.length; i++) {
                    lp[i] = (float) (lp[i] + logDet[i]);
                }
                return lp;
            }
            int n = x.size(0);
            double[] out = new double[n];
            for (int s = 0; s < n; s += CHUNK) {
                double[] part = flow.logProb(x.slice(0, s, Math.min(n, s + CHUNK))).toDoubleArray();
                System.arraycopy(part, 0, out, s, part.length);
            }
            return out;
        }
    }

    /** {@code n} samples [n, dim] in the flow's dtype. */
    static Tensor sample(Flow flow, int n, Rng rng, int threads) {
        Optional<Kernels> k = kernels(flow);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            if (k.isEmpty()) {
                return flow.sample(n, rng);
            }
            Tensor z = k.get().fused().sample(n, rng, threads).samples();
            return k.get().standardize() == null ? z : k.get().standardize().inverse(z).y();
        }
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
