// A small deterministic JVM workload for the JFR corpus (see README.md): a CPU-bound recursion on
// the main thread, an allocating thread, and threads that block on a monitor, wait and park, so
// every event type bigflame imports from JFR appears in a few seconds of recording.
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

public class Workload {
    static final Object LOCK = new Object();
    static volatile long sink;
    static volatile boolean done;

    /** Recursion 30 deep (well under JFR's default stack depth of 64), then a spin loop. */
    static long recurse(int depth, long acc) {
        if (depth == 0) {
            return spin(acc);
        }
        return recurse(depth - 1, acc * 31 + depth);
    }

    static long spin(long x) {
        for (int i = 0; i < 20_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    /** Allocates arrays of a few sizes, keeping some alive for a while. */
    static void allocate() {
        List<Object> keep = new ArrayList<>();
        int i = 0;
        while (!done) {
            keep.add(new long[64 + (i % 7) * 512]);
            if (keep.size() > 4000) {
                keep.clear();
            }
            i++;
        }
        sink += keep.size();
    }

    /** Holds the monitor for 30 ms at a time, so `contender` blocks on it. */
    static void holder() {
        while (!done) {
            synchronized (LOCK) {
                LockSupport.parkNanos(30_000_000L);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    static void contender() {
        while (!done) {
            synchronized (LOCK) {
                sink++;
                try {
                    LOCK.wait(25);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        long millis = args.length > 0 ? Long.parseLong(args[0]) : 3000;
        Thread[] helpers = {
            new Thread(Workload::allocate, "allocator"),
            new Thread(Workload::holder, "holder"),
            new Thread(Workload::contender, "contender"),
        };
        for (Thread t : helpers) {
            t.start();
        }
        long end = System.nanoTime() + millis * 1_000_000L;
        long i = 0;
        while (System.nanoTime() < end) {
            sink += recurse(30, i++);
        }
        done = true;
        for (Thread t : helpers) {
            t.join();
        }
    }
}
