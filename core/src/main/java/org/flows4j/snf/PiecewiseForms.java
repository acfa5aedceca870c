package org.flows4j.snf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.nn.PiecewiseLinearNet;

/**
 * The piecewise-linear forms of a coupling's one-input networks, built once per set of parameter
 * values: an evaluation calls the same networks on many chunks.
 */
final class PiecewiseForms {
    private PiecewiseForms() {}

    /** A copy of the network's parameters (to tell whether a cached form is still current). */
    static double[] snapshot(Mlp m) {
        int total = 0;
        for (Linear l : m.layers()) {
            total += l.weight().numel() + l.bias().numel();
        }
        double[] s = new double[total];
        int at = 0;
        for (Linear l : m.layers()) {
            for (org.flows4j.tensor.Tensor t : List.of(l.weight(), l.bias())) {
                double[] v = t.toDoubleArray();
                System.arraycopy(v, 0, s, at, v.length);
                at += v.length;
            }
        }
        return s;
    }

    /**
     * The piecewise-linear form of the networks {@code nets} side by side ({@link PiecewiseLinearNet#concat}), built
     * once and reused while their parameters stay the same (an evaluation calls the same networks
     * on many chunks); null (also cached) if it would have more than {@link PiecewiseLinearNet#MAX_PIECES} pieces.
     */
    static PiecewiseLinearNet cached(List<Mlp> nets) {
        double[][] now = new double[nets.size()][];
        for (int k = 0; k < now.length; k++) {
            now[k] = snapshot(nets.get(k));
        }
        synchronized (CACHE) {
            Cached c = CACHE.get(nets);
            if (c != null && Arrays.deepEquals(c.params, now)) {
                return c.net;
            }
        }
        List<PiecewiseLinearNet> forms = new ArrayList<>();
        int pieces = 0;
        for (Mlp m : nets) {
            PiecewiseLinearNet f = PiecewiseLinearNet.of(m);
            if (f == null) {
                break;
            }
            forms.add(f);
            pieces += f.pieces();
        }
        PiecewiseLinearNet net = forms.size() == nets.size() && pieces <= PiecewiseLinearNet.MAX_PIECES ? PiecewiseLinearNet.concat(forms) : null;
        synchronized (CACHE) {
            CACHE.put(nets, new Cached(now, net));
        }
        return net;
    }

    private record Cached(double[][] params, PiecewiseLinearNet net) {}

    /** Keyed by the list of networks (a coupling's own list, the same object every call). */
    private static final java.util.Map<List<Mlp>, Cached> CACHE = new java.util.WeakHashMap<>();

}
