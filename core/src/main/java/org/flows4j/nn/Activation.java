package org.flows4j.nn;

import org.flows4j.tensor.Tensor;

/** Elementwise nonlinearities used between the layers of a network. */
public enum Activation {
    RELU, TANH, SIGMOID, SOFTPLUS, IDENTITY;

    public Tensor apply(Tensor x) {
        return switch (this) {
            case RELU -> x.relu();
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
            case SOFTPLUS -> x.softplus();
            case IDENTITY -> x;
        };
    }
}
