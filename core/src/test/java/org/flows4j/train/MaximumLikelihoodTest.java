package org.flows4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flows4j.data.Moons;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MaximumLikelihoodTest {

    static Tensor moons(long randomState, Standardization[] fitted) {
        double[][] raw = Moons.make(2000, 0.05, randomState);
        if (fitted[0] == null) {
            fitted[0] = Standardization.fit(raw);
        }
        double[][] x = fitted[0].apply(raw);
        double[] flat = new double[x.length * 2];
        for (int i = 0; i < x.length; i++) {
            flat[2 * i] = x[i][0];
            flat[2 * i + 1] = x[i][1];
        }
        return Tensor.of(DType.FLOAT32, flat, x.length, 2);
    }

    @Test
    void shortMoonsTrainingGetsBelow1point4Nats() {
        Standardization[] s = new Standardization[1];
        Tensor train = moons(0, s);
        Tensor test = moons(1, s);
        Flow flow = RealNvp.builder().build(new Rng(0));
        double before = MaximumLikelihood.nll(flow, train);
        MaximumLikelihood.Result r = MaximumLikelihood.train(flow, train, new MaximumLikelihood.Config(800, 256, 1e-3),
                new Rng(1), null);
        double after = MaximumLikelihood.nll(flow, train);
        assertThat(before).isGreaterThan(2.5);
        assertThat(after).isLessThan(1.4);
        assertThat(MaximumLikelihood.nll(flow, test)).as("held-out").isLessThan(1.5);
        assertThat(r.lossHistory()).hasSize(800);
    }

    @Test
    void cosineScheduleStartsAtTheBaseRateAndAnnealsToZero() {
        LearningRateSchedule c = LearningRateSchedule.COSINE;
        assertThat(c.factor(0, 100)).isEqualTo(1.0);
        assertThat(c.factor(50, 100)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.factor(99, 100)).isBetween(0.0, 3e-4);
        assertThat(LearningRateSchedule.CONSTANT.factor(99, 100)).isEqualTo(1.0);
        assertThat(LearningRateSchedule.parse("cosine")).isEqualTo(c);
        assertThatThrownBy(() -> LearningRateSchedule.parse("linear")).hasMessageContaining("constant or cosine");
    }

    @Test
    void theScheduleReachesTheUpdates() {
        Standardization[] s = new Standardization[1];
        Tensor train = moons(0, s);
        double[][] h = new double[2][];
        LearningRateSchedule[] kinds = {LearningRateSchedule.CONSTANT, LearningRateSchedule.COSINE};
        for (int k = 0; k < 2; k++) {
            Flow flow = RealNvp.builder().hidden(8).build(new Rng(3));
            h[k] = MaximumLikelihood.train(flow, train, new MaximumLikelihood.Config(6, 64, 1e-2, kinds[k]), new Rng(4),
                    null).lossHistory();
        }
        // the first update uses the base rate under both, so the losses before and after it agree
        assertThat(h[1][0]).isEqualTo(h[0][0]);
        assertThat(h[1][1]).isEqualTo(h[0][1]);
        // the later, smaller cosine steps lead elsewhere
        assertThat(h[1][5]).isNotEqualTo(h[0][5]);
    }

    @Test
    void sameSeedSameRun() {
        Standardization[] s = new Standardization[1];
        Tensor train = moons(0, s);
        double[][] histories = new double[2][];
        for (int k = 0; k < 2; k++) {
            Flow flow = RealNvp.builder().hidden(8).build(new Rng(3));
            histories[k] = MaximumLikelihood.train(flow, train, new MaximumLikelihood.Config(20, 64, 1e-3), new Rng(4),
                    null).lossHistory();
        }
        assertThat(histories[0]).containsExactly(histories[1]);
    }

    @Test
    void divergenceIsReportedNotSilent() {
        Tensor bad = Tensor.of(new double[] {Double.NaN, 0, 1, 1}, 2, 2).to(DType.FLOAT32);
        Flow flow = RealNvp.builder().hidden(4).build(new Rng(0));
        assertThatThrownBy(() -> MaximumLikelihood.train(flow, bad, new MaximumLikelihood.Config(5, 4, 1e-3), new Rng(0),
                null)).isInstanceOf(MaximumLikelihood.DivergedException.class).hasMessageContaining("step 0");
    }
}
