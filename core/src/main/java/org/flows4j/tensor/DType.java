package org.flows4j.tensor;

/** Element type of a {@link Tensor}: 32-bit (the default for training) or 64-bit floats (for checks). */
public enum DType {
    FLOAT32(4, "F32"),
    FLOAT64(8, "F64");

    private final int bytes;
    private final String safetensorsName;

    DType(int bytes, String safetensorsName) {
        this.bytes = bytes;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype's name in the safetensors format ("F32", "F64"). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** The wider of two dtypes: mixing float32 and float64 promotes to float64. */
    public static DType promote(DType a, DType b) {
        return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32;
    }
}
