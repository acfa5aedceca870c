package org.flows4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.io.ModelFormatException;
import org.flows4j.io.SafeTensors;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Against the seed's own PyTorch run (recorded by bench/equivalence/moons_torch_trajectory.py after
 * torch.manual_seed(0)): the same initial weights, bit for bit, and the same minibatch indices.
 */
class TorchGeneratorTest {
    @Test
    void reproducesTheSeedsInitialWeightsAndBatches() throws IOException, ModelFormatException {
        Map<String, Tensor> fixture;
        String name = "torch/moons_trajectory_f64.safetensors.gz";
        try (InputStream in = new GZIPInputStream(getClass().getClassLoader().getResourceAsStream(name))) {
            fixture = SafeTensors.read(in.readAllBytes(), name).tensors();
        }
        TorchGenerator g = new TorchGenerator(0);
        Flow flow = RealNvp.builder().build(new Rng(1));
        List<Tensor> params = flow.parameters();
        g.initLinears(params);
        int k = 0;
        for (int l = 0; l < 6; l++) {
            for (int j : new int[] {0, 2, 4}) {
                for (String what : new String[] {"weight", "bias"}) {
                    Tensor want = fixture.get("init.layers." + l + ".net." + j + "." + what);
                    assertThat(params.get(k).toFloatArray()).as("layer %d linear %d %s", l, j, what)
                            .containsExactly(want.toFloatArray());
                    k++;
                }
            }
        }
        float[] indices = fixture.get("indices").toFloatArray();
        int steps = fixture.get("indices").size(0);
        int[] idx = new int[256];
        for (int s = 0; s < steps; s++) {
            g.randint(2000, idx);
            for (int i = 0; i < 256; i++) {
                assertThat(idx[i]).as("step %d row %d", s, i).isEqualTo((int) indices[s * 256 + i]);
            }
        }
    }

    @Test
    void rejectsSeedsAndBoundsPyTorchWouldNotMeanTheSame() {
        assertThatThrownBy(() -> new TorchGenerator(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TorchGenerator(1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TorchGenerator(0).randint(0, new int[1])).isInstanceOf(IllegalArgumentException.class);
    }
}
