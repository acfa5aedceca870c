package org.flows4j.transforms;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.Tensor;

/**
 * A transform whose context first goes through an embedding network: {@code inner.forward(x,
 * embedding(context))}, and likewise for the inverse. The embedding runs once per call and its
 * output feeds every layer of {@code inner}, which must expect contexts of the embedding's output
 * width. Wrap a whole flow's transform in it to learn a feature map of a raw context (as in
 * simulation-based inference); its parameters come after the inner transform's.
 */
public final class EmbeddedContext implements Transform {
    private final Transform inner;
    private final Mlp embedding;

    public EmbeddedContext(Transform inner, Mlp embedding) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
        this.embedding = java.util.Objects.requireNonNull(embedding, "embedding");
    }

    public Transform inner() {
        return inner;
    }

    public Mlp embedding() {
        return embedding;
    }

    /** Width of the raw context this transform expects. */
    public int contextDim() {
        return embedding.in();
    }

    private Tensor embed(Tensor context) {
        if (context == null) {
            throw new IllegalArgumentException("this flow needs a context of width " + embedding.in());
        }
        if (context.rank() != 2 || context.size(1) != embedding.in()) {
            throw new IllegalArgumentException("expected a context of shape [batch, " + embedding.in() + "], got "
                    + java.util.Arrays.toString(context.shape()));
        }
        return embedding.forward(context);
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        return inner.forward(x, embed(context));
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        return inner.inverse(y, embed(context));
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>(inner.parameters());
        ps.addAll(embedding.parameters());
        return ps;
    }
}
