package org.flows4j.train;

import java.util.List;
import java.util.Optional;
import org.flows4j.fused.FusedCouplingFlow;
import org.flows4j.kernels.RowGemm;
import org.flows4j.flows.Flow;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Tensor;

/**
 * The mean negative log-likelihood of a batch and its gradient with respect to the flow's
 * parameters (in {@link Flow#parameters()} order). The default computes both by autodiff; flows
 * with a fused kernel get a faster implementation of the same numbers.
 */
public interface LossGradient {
    /** Loss value and one gradient per parameter. */
    record Value(double loss, List<Tensor> gradients) {}

    Value compute(Tensor batch);

    /** Autodiff through the flow's ordinary ops: works for every flow. */
    static LossGradient autodiff(Flow flow) {
        List<Tensor> params = flow.parameters();
        return batch -> {
            Tensor loss = flow.logProb(batch).mean().neg();
            double value = loss.item();
            return new Value(value, Double.isFinite(value) ? Autograd.grad(loss, params) : List.of());
        };
    }

    /** Fused kernels for RealNVP-style float32 flows (see {@link FusedCouplingFlow}). */
    static Optional<LossGradient> fused(Flow flow, RowGemm gemm) {
        return FusedCouplingFlow.of(flow, gemm).map(f -> {
            FusedCouplingFlow.Step step = f.newStep();
            return batch -> {
                double loss = step.compute(batch);
                return new Value(loss, step.gradients());
            };
        });
    }

    /** The fastest implementation available for this flow. */
    static LossGradient forFlow(Flow flow) {
        return fused(flow, RowGemm.best()).orElseGet(() -> autodiff(flow));
    }
}
