package org.flows4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/** A multilayer perceptron: Linear, activation, ..., Linear (no activation after the last layer). */
public final class Mlp implements Module {
    private final List<Linear> layers;
    private final Activation activation;

    /**
     * @param sizes layer widths, input first and output last (at least two entries)
     */
    public Mlp(int[] sizes, Activation activation, Rng rng, DType dtype) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output size");
        }
        List<Linear> ls = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            ls.add(new Linear(sizes[i], sizes[i + 1], rng, dtype));
        }
        this.layers = Collections.unmodifiableList(ls);
        this.activation = activation;
    }

    public Mlp(List<Linear> layers, Activation activation) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an MLP needs at least one layer");
        }
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (layers.get(i).out() != layers.get(i + 1).in()) {
                throw new IllegalArgumentException("layer " + i + " has " + layers.get(i).out()
                        + " outputs but layer " + (i + 1) + " expects " + layers.get(i + 1).in());
            }
        }
        this.layers = List.copyOf(layers);
        this.activation = activation;
    }

    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h);
            if (i + 1 < layers.size()) {
                h = activation.apply(h);
            }
        }
        return h;
    }

    public List<Linear> layers() {
        return layers;
    }

    public Activation activation() {
        return activation;
    }

    public int in() {
        return layers.get(0).in();
    }

    public int out() {
        return layers.get(layers.size() - 1).out();
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>();
        for (Linear l : layers) {
            ps.addAll(l.parameters());
        }
        return ps;
    }
}
