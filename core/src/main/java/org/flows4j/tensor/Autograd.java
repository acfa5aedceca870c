package org.flows4j.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reverse-mode automatic differentiation.
 *
 * <p>Every op on tensors that require gradients records a {@link Node}: its inputs and a backward
 * rule. Backward rules are written with ordinary tensor ops, so when {@link #grad} is called with
 * {@code createGraph = true} the backward pass is itself recorded and can be differentiated again
 * (gradients of gradients, as Langevin layers need). With {@code createGraph = false} the backward
 * pass runs with recording switched off and costs no graph memory.
 *
 * <p>Recording can be switched off for the current thread with {@link #noGrad()} (used for
 * sampling and evaluation). This per-thread switch is the only state kept here.
 */
public final class Autograd {
    private Autograd() {}

    private static final ThreadLocal<boolean[]> GRAD_ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** A backward rule: given the gradient of the op's output, the gradients of its inputs. */
    @FunctionalInterface
    interface Backward {
        /** Returns one gradient per input (null where the input needs none), shaped as that input. */
        Tensor[] apply(Tensor gradOutput);
    }

    /** The record of one op application. */
    static final class Node {
        final String op;
        final Tensor[] inputs;
        final Backward backward;

        Node(String op, Tensor[] inputs, Backward backward) {
            this.op = op;
            this.inputs = inputs;
            this.backward = backward;
        }
    }

    /** True unless the current thread is inside a {@link #noGrad()} scope. */
    public static boolean isGradEnabled() {
        return GRAD_ENABLED.get()[0];
    }

    /** A scope (use with try-with-resources) in which no op is recorded. */
    public static Scope noGrad() {
        return setGradEnabled(false);
    }

    /** A scope in which recording is on or off as given; closing restores the previous mode. */
    public static Scope setGradEnabled(boolean enabled) {
        boolean[] cell = GRAD_ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return () -> cell[0] = previous;
    }

    /** A grad-mode scope; closing it restores the previous mode. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Wraps a freshly computed result in a recorded node if any input requires a gradient. */
    static Tensor record(Tensor result, String op, Backward backward, Tensor... inputs) {
        if (!isGradEnabled()) {
            return result;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad) {
                any = true;
                break;
            }
        }
        if (!any) {
            return result;
        }
        return new Tensor(result.shape, result.f, result.d, true, new Node(op, inputs, backward));
    }

    /** Gradient of a scalar {@code output} with respect to each of {@code inputs} (first order). */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return grad(output, inputs, null, false);
    }

    /**
     * Gradients of {@code output} with respect to {@code inputs}, weighted by {@code gradOutput}
     * (a vector-Jacobian product; null means ones, which requires a scalar output). Inputs that
     * {@code output} does not depend on get zeros. With {@code createGraph} the returned gradients
     * are themselves differentiable.
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, Tensor gradOutput, boolean createGraph) {
        Objects.requireNonNull(output, "output");
        if (gradOutput == null) {
            if (output.numel() != 1) {
                throw new IllegalArgumentException("grad of a non-scalar output (shape " + Shapes.str(output.shape)
                        + ") needs gradOutput");
            }
            gradOutput = Tensor.ones(output.dtype(), output.shape);
        } else if (!java.util.Arrays.equals(gradOutput.shape, output.shape)) {
            throw new IllegalArgumentException("gradOutput shape " + Shapes.str(gradOutput.shape)
                    + " differs from output shape " + Shapes.str(output.shape));
        }
        try (Scope ignored = setGradEnabled(createGraph)) {
            Map<Tensor, Tensor> grads = backwardPass(output, gradOutput, inputs);
            List<Tensor> result = new ArrayList<>(inputs.size());
            for (Tensor in : inputs) {
                Tensor g = grads.get(in);
                result.add(g != null ? g : Tensor.zeros(in.dtype(), in.shape));
            }
            return result;
        }
    }

    private static Map<Tensor, Tensor> backwardPass(Tensor output, Tensor gradOutput, List<Tensor> inputs) {
        Map<Tensor, Tensor> wanted = new IdentityHashMap<>();
        for (Tensor t : inputs) {
            wanted.put(t, t);
        }
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        Map<Tensor, Tensor> result = new IdentityHashMap<>();
        if (!output.requiresGrad) {
            return result;
        }
        grads.put(output, gradOutput);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Tensor g = wanted.containsKey(t) ? grads.get(t) : grads.remove(t);
            if (g == null) {
                continue;
            }
            if (wanted.containsKey(t)) {
                result.put(t, g);
            }
            Node node = t.node;
            if (node == null) {
                continue;
            }
            Tensor[] inGrads = node.backward.apply(g);
            for (int k = 0; k < node.inputs.length; k++) {
                Tensor in = node.inputs[k];
                if (in == null || !in.requiresGrad || inGrads[k] == null) {
                    continue;
                }
                Tensor gk = inGrads[k];
                if (!java.util.Arrays.equals(gk.shape, in.shape)) {
                    throw new IllegalStateException("internal error: backward of " + node.op + " gave gradient shape "
                            + Shapes.str(gk.shape) + " for input shape " + Shapes.str(in.shape));
                }
                Tensor prev = grads.get(in);
                grads.put(in, prev == null ? gk : prev.add(gk));
            }
        }
        return result;
    }

    /** Tensors reachable from {@code output} through recorded nodes, inputs before users. */
    private static List<Tensor> topologicalOrder(Tensor output) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {output, 0});
        visited.put(output, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] children = t.node == null ? new Tensor[0] : t.node.inputs;
            boolean pushed = false;
            while (next < children.length) {
                Tensor c = children[next++];
                if (c != null && c.requiresGrad && !visited.containsKey(c)) {
                    visited.put(c, Boolean.TRUE);
                    frame[1] = next;
                    stack.push(new Object[] {c, 0});
                    pushed = true;
                    break;
                }
            }
            if (!pushed) {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
