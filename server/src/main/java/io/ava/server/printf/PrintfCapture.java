package io.ava.server.printf;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Kernel printf output. PoCL writes it to the server process's stdout (file descriptor 1), which
 * Java cannot redirect in-process; so the server runs itself as a child whose stdout is a FIFO
 * that the child reads back. The server's own messages go to stderr instead. A marker written to
 * descriptor 1 and seen coming back proves that everything written before it has been read, so
 * a reply can wait until the printf output of the kernels it covers has been forwarded.
 */
public final class PrintfCapture {
    public static final String FIFO_ENV = "AVA_PRINTF_FIFO";
    private static final byte MARK = 0x1e; // ASCII record separator: never in printf text we care for

    private final InputStream in;
    private final FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
    private final Consumer<String> sink;
    private final AtomicLong written = new AtomicLong();
    private long seen;

    private PrintfCapture(InputStream in, Consumer<String> sink) {
        this.in = in;
        this.sink = sink;
    }

    /**
     * In the parent: runs the server as a child with its stdout on a FIFO and returns its exit
     * code; null where this is the child already, or where FIFOs cannot be made (printf output
     * then stays on the server's stdout).
     */
    public static Integer relaunchAsChild(String[] args) {
        if (System.getenv(FIFO_ENV) != null || !System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return null;
        }
        try {
            Path dir = Files.createTempDirectory("ava-printf-");
            Path fifo = dir.resolve("stdout");
            Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            if (mk.waitFor() != 0) {
                return null;
            }
            // held open read-write so that opening the FIFO never blocks and it never reports end of file
            RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw");
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("io.ava.server.AvaServerMain");
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(fifo.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put(FIFO_ENV, fifo.toString());
            io.ava.server.nativeheap.MallocTunables.addTo(pb.environment());
            Process child = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                child.destroy();
                try {
                    if (!child.waitFor(5, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    child.destroyForcibly();
                }
            }, "ava-server-child"));
            int rc = child.waitFor();
            holder.close();
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
            return rc;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** In the child: read our own stdout back; the server's messages go to stderr from now on. */
    public static PrintfCapture startIfChild(Consumer<String> sink) throws IOException {
        String fifo = System.getenv(FIFO_ENV);
        if (fifo == null) {
            return null;
        }
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        // the parent dies (killed outright): so does the child, which would otherwise hold the port
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        PrintfCapture c = new PrintfCapture(java.nio.channels.Channels.newInputStream(
                new RandomAccessFile(fifo, "rw").getChannel()), sink);
        Thread t = new Thread(c::readLoop, "ava-printf-reader");
        t.setDaemon(true);
        t.start();
        return c;
    }

    private void readLoop() {
        byte[] buf = new byte[8192];
        StringBuilder text = new StringBuilder();
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == MARK) {
                        text.append(new String(buf, start, i - start, StandardCharsets.UTF_8));
                        start = i + 1;
                        flushText(text);
                        synchronized (this) {
                            seen++;
                            notifyAll();
                        }
                    }
                }
                text.append(new String(buf, start, n - start, StandardCharsets.UTF_8));
                if (text.length() > 0 && text.charAt(text.length() - 1) == '\n') {
                    flushText(text);
                }
            }
        } catch (IOException e) {
            // the process is ending
        }
    }

    private void flushText(StringBuilder text) {
        if (text.length() > 0) {
            sink.accept(text.toString());
            text.setLength(0);
        }
    }

    /** Waits until everything written to stdout so far has been read and handed on (bounded). */
    public void drain() {
        long mark;
        synchronized (stdout) {
            mark = written.incrementAndGet();
            try {
                stdout.write(MARK);
                stdout.flush();
            } catch (IOException e) {
                return;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (this) {
            while (seen < mark && System.nanoTime() < deadline) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
