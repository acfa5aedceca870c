package org.flows4j.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The one place flows4j runs work on several threads: a fresh pool of daemon threads per call
 * (nothing global, nothing left running), the calling thread alone when one thread is asked for
 * or there is one piece of work, and a task's exception re-thrown in the caller as it was.
 */
public final class Parallel {
    private Parallel() {}

    /** Work on rows [start, end) with a workspace owned by the running thread. */
    @FunctionalInterface
    public interface ChunkJob<W> {
        void run(W workspace, int start, int end);
    }

    /**
     * Splits [0, n) into chunks of {@code chunk} rows, handed out in order to up to {@code threads}
     * threads as each finishes its previous one; each thread makes one workspace.
     */
    public static <W> void forEachChunk(int n, int chunk, int threads, Supplier<W> workspace, ChunkJob<W> job) {
        if (chunk < 1 || threads < 1) {
            throw new IllegalArgumentException("chunk and threads must be >= 1, got " + chunk + " and " + threads);
        }
        int chunks = (int) (((long) n + chunk - 1) / chunk);
        int t = Math.max(1, Math.min(threads, chunks));
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            W ws = workspace.get();
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                job.run(ws, c * chunk, (int) Math.min(n, (long) (c + 1) * chunk));
            }
        };
        List<Runnable> workers = new ArrayList<>(t);
        for (int k = 0; k < t; k++) {
            workers.add(worker);
        }
        runAll(workers, t);
    }

    /** Runs every job, on up to {@code threads} threads, and returns when all are done. */
    public static void runAll(List<? extends Runnable> jobs, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (threads == 1 || jobs.size() <= 1) {
            jobs.forEach(Runnable::run);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, jobs.size()), r -> {
            Thread th = new Thread(r, "flows4j-worker");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> fs = new ArrayList<>(jobs.size());
            for (Runnable j : jobs) {
                fs.add(pool.submit(j));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
    }
}
