package org.flows4j.sbi;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times C2ST on one observation: {@code C2stBench DATA_DIR TASK OBS SAMPLES_CSV PRECISION THREADS}, where
 * PRECISION is float32 or float64. Prints the score, wall seconds and process CPU seconds. Not a test.
 */
public final class C2stBench {
    private C2stBench() {}

    public static void main(String[] args) throws Exception {
        SbibmData.Observation o = SbibmData.load(Path.of(args[0]), args[1], Integer.parseInt(args[2]));
        double[][] samples = SbibmData.readCsv(Path.of(args[3])).rows();
        C2st.Precision p = C2st.Precision.parse(args[4]);
        int threads = Integer.parseInt(args[5]);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        C2st.Result res = C2st.run(o.referenceSamples(), samples, 0, threads, 10_000, p);
        double s = res.score();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "%s obs %s d=%d %s threads=%d: C2ST %.4f  wall %.1f s  cpu %.1f s  epochs %s%n",
                args[1], args[2], samples[0].length, p.label(), threads, s, wall, cpu,
                java.util.Arrays.toString(res.foldEpochs()));
    }
}
