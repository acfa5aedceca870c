package org.flows4j.sbi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Reads a folder laid out as sbibm's: {@code <task>/num_observation_<i>/} with observation.csv,
 * true_parameters.csv and reference_posterior_samples.csv.bz2 (or an uncompressed .csv).
 */
public final class SbibmData {
    private SbibmData() {}

    /** One observation: x_o, the parameters that produced it, and reference posterior samples. */
    public record Observation(int number, double[] x, double[] trueTheta, String[] parameterNames,
            double[][] referenceSamples) {}

    /** A CSV table with a header line. */
    public record Table(String[] header, double[][] rows) {}

    public static Path observationDir(Path dataDir, String task, int number) {
        return dataDir.resolve(task).resolve("num_observation_" + number);
    }

    /** Loads observation {@code number} of {@code task}; IOException naming the file if anything is missing or bad. */
    public static Observation load(Path dataDir, String task, int number) throws IOException {
        Path dir = observationDir(dataDir, task, number);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such observation folder");
        }
        Table obs = readCsv(dir.resolve("observation.csv"));
        Table truth = readCsv(dir.resolve("true_parameters.csv"));
        Path ref = dir.resolve("reference_posterior_samples.csv.bz2");
        if (!Files.exists(ref)) {
            ref = dir.resolve("reference_posterior_samples.csv");
        }
        Table samples = readCsv(ref);
        if (obs.rows().length != 1 || truth.rows().length != 1) {
            throw new IOException(dir + ": observation.csv and true_parameters.csv must hold one row each");
        }
        if (samples.header().length != truth.header().length) {
            throw new IOException(ref + ": " + samples.header().length + " columns, but the task has "
                    + truth.header().length + " parameters");
        }
        return new Observation(number, obs.rows()[0], truth.rows()[0], truth.header(), samples.rows());
    }

    /** Reads a CSV with a header (bzip2-compressed if the name ends in .bz2). */
    public static Table readCsv(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".bz2") ? new BZip2CompressorInputStream(raw) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String head = r.readLine();
            if (head == null) {
                throw new IOException(file + ": empty file");
            }
            String[] header = head.trim().split(",");
            List<double[]> rows = new ArrayList<>();
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(",");
                if (parts.length != header.length) {
                    throw new IOException(file + " line " + lineNo + ": " + parts.length + " values, expected "
                            + header.length);
                }
                double[] row = new double[parts.length];
                for (int j = 0; j < parts.length; j++) {
                    try {
                        row[j] = Double.parseDouble(parts[j].trim());
                    } catch (NumberFormatException e) {
                        throw new IOException(file + " line " + lineNo + ": not a number: '" + parts[j] + "'");
                    }
                }
                rows.add(row);
            }
            return new Table(header, rows.toArray(new double[0][]));
        }
    }
}
