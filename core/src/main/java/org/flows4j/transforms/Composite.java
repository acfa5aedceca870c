package org.flows4j.transforms;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.tensor.Tensor;

/** Transforms applied in order (forward) or in reverse order (inverse); log-dets add. */
public final class Composite implements Transform {
    private final List<Transform> parts;

    public Composite(List<? extends Transform> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a composite transform needs at least one part");
        }
        int dim = parts.get(0).dim();
        for (Transform t : parts) {
            if (t.dim() != dim) {
                throw new IllegalArgumentException("parts act on different dimensions: " + dim + " and " + t.dim());
            }
        }
        this.parts = List.copyOf(parts);
    }

    public List<Transform> parts() {
        return parts;
    }

    @Override
    public int dim() {
        return parts.get(0).dim();
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        Tensor y = x;
        Tensor logDet = null;
        for (Transform t : parts) {
            Result r = t.forward(y, context);
            y = r.y();
            logDet = logDet == null ? r.logAbsDet() : logDet.add(r.logAbsDet());
        }
        return new Result(y, logDet);
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        Tensor x = y;
        Tensor logDet = null;
        for (int i = parts.size() - 1; i >= 0; i--) {
            Result r = parts.get(i).inverse(x, context);
            x = r.y();
            logDet = logDet == null ? r.logAbsDet() : logDet.add(r.logAbsDet());
        }
        return new Result(x, logDet);
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>();
        for (Transform t : parts) {
            ps.addAll(t.parameters());
        }
        return ps;
    }
}
