package org.flows4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @ParameterizedTest(name = "n={0} chunk={1} threads={2}")
    @CsvSource({"0,4,2", "1,4,2", "10,3,1", "10,3,2", "1000,7,4", "8,8,3"})
    void everyRowOnceAndOneWorkspacePerThread(int n, int chunk, int threads) {
        int[] seen = new int[n];
        AtomicInteger workspaces = new AtomicInteger();
        Parallel.forEachChunk(n, chunk, threads, workspaces::incrementAndGet, (ws, start, end) -> {
            assertThat(end - start).isBetween(1, chunk);
            for (int i = start; i < end; i++) {
                seen[i]++;
            }
        });
        for (int i = 0; i < n; i++) {
            assertThat(seen[i]).as("row %d", i).isEqualTo(1);
        }
        assertThat(workspaces.get()).isLessThanOrEqualTo(Math.max(1, Math.min(threads, (n + chunk - 1) / chunk)));
    }

    @Test
    void aTaskExceptionReachesTheCallerUnchanged() {
        List<Runnable> jobs = List.of(() -> {}, () -> {
            throw new IllegalArgumentException("bad row 7");
        });
        assertThatThrownBy(() -> Parallel.runAll(jobs, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad row 7");
    }
}
