package org.flows4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.flows4j.data.Moons;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;
import org.junit.jupiter.api.Test;

/** The README's Java example, as written there (fewer steps), so it cannot rot. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns() {
        double[][] raw = Moons.make(2000, 0.05, 0);
        double[][] x = Standardization.fit(raw).apply(raw);
        Tensor data = Tensor.fromRows(DType.FLOAT32, x);

        Flow flow = RealNvp.builder().dim(2).layers(6).hidden(64).build(new Rng(0));
        MaximumLikelihood.train(flow, data, new MaximumLikelihood.Config(201, 256, 1e-3), new Rng(1), null);

        Tensor logp = flow.logProb(data);
        Flow.Samples s = flow.sampleWithLogProb(1000, new Rng(2));

        assertThat(logp.shape()).containsExactly(2000);
        assertThat(-logp.mean().item()).isLessThan(2.0);
        assertThat(s.samples().shape()).containsExactly(1000, 2);
        assertThat(s.logProb().allFinite()).isTrue();
    }
}
