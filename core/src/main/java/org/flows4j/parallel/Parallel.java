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
        Runnable worker = new ChunkWorker<>(n, chunk, chunks, workspace, job);
        List<Runnable> workers = new ArrayList<>(t);
        for (int k = 0; k < t; k++) {
            workers.add(worker);
        }
        runAll(workers, t);
    }

    /**
     * Takes the next chunk until none are left (shared by the threads of one call). A class, not
     * a lambda: the first call of a lambda spins a class at run time (about a millisecond each,
     * a large part of a one-off sampling call in a fresh JVM).
     */
    private static final class ChunkWorker<W> implements Runnable {
        private final AtomicInteger next = new AtomicInteger();
        private final int n;
        private final int chunk;
        private final int chunks;
        private final Supplier<W> workspace;
        private final ChunkJob<W> job;

        ChunkWorker(int n, int chunk, int chunks, Supplier<W> workspace, ChunkJob<W> job) {
            this.n = n;
            this.chunk = chunk;
            this.chunks = chunks;
            this.workspace = workspace;
            this.job = job;
        }

        @Override
        public void run() {
            W ws = workspace.get();
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                job.run(ws, c * chunk, (int) Math.min(n, (long) (c + 1) * chunk));
            }
        }
    }

    /** Daemon worker threads (a class for the reason given at {@link ChunkWorker}). */
    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread th = new Thread(r, "flows4j-worker");
            th.setDaemon(true);
            return th;
        }
    }

    /** Runs every job, on up to {@code threads} threads, and returns when all are done. */
    public static void runAll(List<? extends Runnable> jobs, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (threads == 1 || jobs.size() <= 1) {
            for (Runnable j : jobs) {
                j.run();
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, jobs.size()), new DaemonThreads());
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
