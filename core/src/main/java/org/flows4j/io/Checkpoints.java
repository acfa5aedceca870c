package org.flows4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flows4j.flows.Flow;
import org.flows4j.nn.Adam;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.TrainingState;

/**
 * A training checkpoint as one .safetensors file: the model exactly as {@link FlowFiles} writes it
 * (so a checkpoint also loads as a model), plus Adam's moments ({@code optimizer.m.<k>},
 * {@code optimizer.v.<k>}, in the parameters' dtype), the loss history
 * ({@code training.loss_history}, F64) and, in the metadata, the step, Adam's step count and the
 * minibatch generator's exact state. Written atomically: a crash mid-write leaves the previous
 * checkpoint as it was.
 */
public final class Checkpoints {
    private static final String M = "optimizer.m.";
    private static final String V = "optimizer.v.";
    private static final String HISTORY = "training.loss_history";
    private static final List<String> KEYS = List.of("training.step", "optimizer.step", "rng.seed", "rng.gamma",
            "rng.has_spare", "rng.spare");

    private Checkpoints() {}

    /** A checkpoint's model, training state and whole metadata. */
    public record Loaded(Flow flow, TrainingState state, Map<String, String> metadata) {}

    /** True for tensor names a checkpoint adds to the model's. */
    static boolean isOwnTensor(String name) {
        return name.startsWith("optimizer.") || name.startsWith("training.");
    }

    /** Atomically writes the checkpoint of {@code flow} in {@code state}, with {@code extra} metadata. */
    public static void write(Path file, Flow flow, TrainingState state, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        Rng.State r = state.rng();
        meta.put("training.step", Integer.toString(state.step()));
        meta.put("optimizer.step", Long.toString(state.optimizer().step()));
        meta.put("rng.seed", Long.toString(r.seed()));
        meta.put("rng.gamma", Long.toString(r.gamma()));
        meta.put("rng.has_spare", Boolean.toString(r.hasSpare()));
        meta.put("rng.spare", Double.toString(r.spare()));
        FlowFiles.Encoded e = FlowFiles.encode(flow, meta, FlowFiles.KIND_CHECKPOINT);
        Map<String, Tensor> tensors = new LinkedHashMap<>(e.tensors());
        List<Tensor> m = state.optimizer().m();
        List<Tensor> v = state.optimizer().v();
        for (int k = 0; k < m.size(); k++) {
            tensors.put(M + k, m.get(k));
        }
        for (int k = 0; k < v.size(); k++) {
            tensors.put(V + k, v.get(k));
        }
        tensors.put(HISTORY, Tensor.of(state.lossHistory(), state.step()));
        SafeTensors.write(file, tensors, e.metadata());
    }

    /** Reads and checks a checkpoint written by {@link #write}. */
    public static Loaded read(Path file) throws ModelFormatException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String where = file + ": ";
        if (!FlowFiles.KIND_CHECKPOINT.equals(c.metadata().get("kind"))) {
            throw new ModelFormatException(where + "not a flows4j checkpoint (a model file cannot be resumed; "
                    + "checkpoints are the files --checkpoint-every writes)");
        }
        Set<String> consumed = new HashSet<>();
        FlowFiles.Loaded model = FlowFiles.decode(c, consumed, where);
        Map<String, String> meta = c.metadata();
        for (String key : KEYS) {
            if (!meta.containsKey(key)) {
                throw new ModelFormatException(where + "checkpoint metadata has no \"" + key + "\"");
            }
        }
        try {
            int step = Integer.parseInt(meta.get("training.step"));
            long adamStep = Long.parseLong(meta.get("optimizer.step"));
            Rng.State rng = new Rng.State(Long.parseLong(meta.get("rng.seed")), Long.parseLong(meta.get("rng.gamma")),
                    parseBoolean(meta.get("rng.has_spare"), where), Double.parseDouble(meta.get("rng.spare")));
            List<Tensor> params = model.flow().parameters();
            List<Tensor> m = new ArrayList<>();
            List<Tensor> v = new ArrayList<>();
            for (int k = 0; k < params.size(); k++) {
                m.add(take(c, M + k, params.get(k), consumed, where));
                v.add(take(c, V + k, params.get(k), consumed, where));
            }
            Tensor history = c.tensors().get(HISTORY);
            if (history == null || history.rank() != 1 || !history.allFinite()) {
                throw new ModelFormatException(where + "checkpoint has no valid \"" + HISTORY + "\"");
            }
            consumed.add(HISTORY);
            for (String name : c.tensors().keySet()) {
                if (!consumed.contains(name)) {
                    throw new ModelFormatException(where + "unexpected tensor \"" + SafeTensors.shorten(name)
                            + "\" in the checkpoint");
                }
            }
            Adam.State opt = new Adam.State(adamStep, m, v);
            new Adam(params, 1.0).restore(opt); // checks the moments against the parameters
            TrainingState state = new TrainingState(step, history.toDoubleArray(), opt, rng);
            return new Loaded(model.flow(), state, meta);
        } catch (IllegalArgumentException e) {
            // NumberFormatException included
            throw new ModelFormatException(where + "invalid checkpoint: " + e.getMessage(), e);
        }
    }

    private static boolean parseBoolean(String s, String where) throws ModelFormatException {
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ModelFormatException(where + "rng.has_spare is not true or false");
        };
    }

    private static Tensor take(SafeTensors.Contents c, String name, Tensor param, Set<String> consumed, String where)
            throws ModelFormatException {
        Tensor t = c.tensors().get(name);
        if (t == null) {
            throw new ModelFormatException(where + "checkpoint tensor \"" + name + "\" is missing");
        }
        if (!Arrays.equals(t.shape(), param.shape()) || t.dtype() != param.dtype()) {
            throw new ModelFormatException(where + "checkpoint tensor \"" + name + "\" does not match its parameter");
        }
        consumed.add(name);
        return t;
    }
}
