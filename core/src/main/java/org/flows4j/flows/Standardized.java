package org.flows4j.flows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flows4j.data.Standardization;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Standardize;
import org.flows4j.transforms.Transform;

/**
 * Flows over raw data built from a flow over standardised data: a {@link Standardize} layer in
 * front. Training runs on the inner flow (standardised data, the fast path); the outer flow, which
 * shares its parameters, is the model one saves and uses:
 * {@code log p_x(x) = log p_z((x - mean) / std) - sum(log std)}.
 */
public final class Standardized {
    private Standardized() {}

    /** A standardising layer and the flow behind it, sharing parameters with the whole. */
    public record Parts(Standardize standardize, Flow inner) {}

    /** {@code inner} with {@code s} applied first: a flow over the raw data. */
    public static Flow wrap(Flow inner, Standardization s) {
        List<Transform> parts = new ArrayList<>();
        parts.add(Standardize.of(s, inner.dtype()));
        if (inner.transform() instanceof Composite c) {
            parts.addAll(c.parts());
        } else {
            parts.add(inner.transform());
        }
        return new Flow(inner.base(), new Composite(parts), inner.dtype());
    }

    /** The standardising first layer and the rest, if {@code flow} starts with one (and has more). */
    public static Optional<Parts> split(Flow flow) {
        if (!(flow.transform() instanceof Composite c) || c.parts().size() < 2
                || !(c.parts().get(0) instanceof Standardize s)) {
            return Optional.empty();
        }
        List<Transform> rest = c.parts().subList(1, c.parts().size());
        Transform t = rest.size() == 1 ? rest.get(0) : new Composite(rest);
        return Optional.of(new Parts(s, new Flow(flow.base(), t, flow.dtype())));
    }
}
