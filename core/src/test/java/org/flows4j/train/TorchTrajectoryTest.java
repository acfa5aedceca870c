package org.flows4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.flows4j.data.Moons;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.io.ModelFormatException;
import org.flows4j.io.SafeTensors;
import org.flows4j.nn.Adam;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's two-moons training, step for step, against PyTorch in float64: the same initial
 * weights, the same data and the same batches (recorded by
 * bench/equivalence/moons_torch_trajectory.py, torch 1.13) must give the same batch losses and
 * the same weights after the library's own loss, gradient and Adam. Any difference in the model
 * (masks, chunk layout, tanh scale, log-density), the backward pass or Adam's update shows up
 * here far above float64 rounding.
 */
class TorchTrajectoryTest {
    static final String FIXTURE = "torch/moons_trajectory_f64.safetensors.gz";
    static final int LAYERS = 6;
    static final int[] LINEARS = {0, 2, 4};

    static Map<String, Tensor> tensors;
    static Map<String, String> metadata;

    @BeforeAll
    static void load() throws IOException, ModelFormatException {
        try (InputStream in = new GZIPInputStream(
                TorchTrajectoryTest.class.getClassLoader().getResourceAsStream(FIXTURE))) {
            SafeTensors.Contents c = SafeTensors.read(in.readAllBytes(), FIXTURE);
            tensors = c.tensors();
            metadata = c.metadata();
        }
    }

    /** state_dict names of the seed's parameters, in its order (which is the flow's parameter order). */
    static List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            for (int j : LINEARS) {
                names.add("layers." + l + ".net." + j + ".weight");
                names.add("layers." + l + ".net." + j + ".bias");
            }
        }
        return names;
    }

    /** The seed's RealNVP in float64 from the library's builder, holding the fixture's initial weights. */
    static Flow seedFlow(Map<String, Tensor> fixture) {
        Flow flow = RealNvp.builder().dim(2).layers(LAYERS).hidden(64).dtype(DType.FLOAT64).build(new Rng(0));
        List<Tensor> params = flow.parameters();
        List<String> names = parameterNames();
        assertThat(params).hasSameSizeAs(names);
        for (int k = 0; k < params.size(); k++) {
            Tensor init = fixture.get("init." + names.get(k));
            assertThat(init).as(names.get(k)).isNotNull();
            assertThat(params.get(k).shape()).as(names.get(k)).containsExactly(init.shape());
            double[] src = init.toDoubleArray();
            System.arraycopy(src, 0, params.get(k).rawDoubles(), 0, src.length);
        }
        return flow;
    }

    /** What a replay produced: the batch loss of every step and the final parameters. */
    record Replay(double[] losses, List<Tensor> parameters) {}

    /** MaximumLikelihood.train's loop with the recorded batches in place of the library's Rng. */
    static Replay replay(Map<String, Tensor> fixture, double lr) {
        Flow flow = seedFlow(fixture);
        double[] data = fixture.get("data").toDoubleArray();
        Tensor indices = fixture.get("indices");
        int steps = indices.size(0);
        int batch = indices.size(1);
        double[] idx = indices.toDoubleArray();
        List<Tensor> params = flow.parameters();
        Adam adam = new Adam(params, lr);
        LossGradient lossGradient = LossGradient.forFlow(flow);
        double[] losses = new double[steps];
        double[] rows = new double[batch * 2];
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < batch; i++) {
                int r = (int) idx[step * batch + i];
                rows[2 * i] = data[2 * r];
                rows[2 * i + 1] = data[2 * r + 1];
            }
            LossGradient.Value v = lossGradient.compute(Tensor.of(DType.FLOAT64, rows, batch, 2));
            losses[step] = v.loss();
            adam.step(v.gradients(), lr * LearningRateSchedule.CONSTANT.factor(step, steps));
        }
        return new Replay(losses, params);
    }

    @Test
    void fixtureIsTheSeedsData() {
        // the library's make_moons and standardisation give the data PyTorch trained on
        double[][] raw = Moons.make(2000, 0.05, 0);
        double[][] x = Standardization.fit(raw).apply(raw);
        double[] torch = tensors.get("data").toDoubleArray();
        assertThat(tensors.get("data").shape()).containsExactly(2000, 2);
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i][0] - torch[2 * i]));
            max = Math.max(max, Math.abs(x[i][1] - torch[2 * i + 1]));
        }
        assertThat(max).isLessThan(1e-14);
    }

    @Test
    void float64TrainingFollowsPyTorchStepForStep() {
        double lr = Double.parseDouble(metadata.get("lr"));
        Replay r = replay(tensors, lr);
        double[] expected = tensors.get("loss").toDoubleArray();
        assertThat(r.losses()).hasSameSizeAs(expected);
        for (int step = 0; step < expected.length; step++) {
            assertThat(Math.abs(r.losses()[step] - expected[step]))
                    .as("loss at step %d: ours %.17g, torch %.17g", step, r.losses()[step], expected[step])
                    .isLessThanOrEqualTo(1e-9 * Math.abs(expected[step]));
        }
        int[] rows = Arrays.stream(metadata.get("final_rows").split(",")).mapToInt(Integer::parseInt).toArray();
        List<String> names = parameterNames();
        for (int k = 0; k < names.size(); k++) {
            Tensor p = r.parameters().get(k);
            Tensor want = tensors.get("final." + names.get(k));
            double[] ours = p.toDoubleArray();
            double[] torch = want.toDoubleArray();
            if (!Arrays.equals(p.shape(), want.shape())) {
                // a 64x64 hidden weight: the fixture keeps the listed rows only
                assertThat(want.shape()).as(names.get(k)).containsExactly(rows.length, p.size(1));
                int cols = p.size(1);
                double[] picked = new double[rows.length * cols];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(ours, rows[i] * cols, picked, i * cols, cols);
                }
                ours = picked;
            }
            for (int i = 0; i < torch.length; i++) {
                assertThat(Math.abs(ours[i] - torch[i])).as("final %s[%d]: ours %.17g, torch %.17g", names.get(k), i,
                        ours[i], torch[i]).isLessThanOrEqualTo(1e-8 * Math.max(1, Math.abs(torch[i])));
            }
        }
    }
}
