package io.ava.bench.overhead;

import io.ava.bench.util.ChildProcess;
import io.ava.bench.util.Stats;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The raw-socket reference for (c): copy the same number of bytes over loopback with a plain
 * {@link ServerSocket}/{@link Socket} pair in two JVMs, in 1 MiB writes. The sink runs in a forked
 * JVM ({@link #main}); the benchmark process is the sender ({@link #measure}).
 *
 * <p>Protocol: the sink prints {@code PORT n}, accepts one connection, then for each round reads
 * the 8-byte round size followed by that many bytes, and answers one byte when the round is in.
 *
 * <p>With {@code --fresh} the sink reads each round into newly allocated direct memory of the
 * round's size (in pieces of at most 1 GiB), as a migration target must allocate the buffers it
 * receives: the allocation and first touch of the pages are part of the round's time. Its JVM
 * needs {@code -XX:MaxDirectMemorySize} of at least twice the round size (the previous round's
 * memory is only freed by a garbage collection).
 */
public final class RawSocketCopy {

  static final int CHUNK = 1 << 20;

  /** Sink: {@code RawSocketCopy}; exits when the sender closes the connection. */
  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("--fresh")) {
      freshSink();
      System.exit(0);
    }
    try (ServerSocket ss = new ServerSocket()) {
      ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      System.out.println("PORT " + ss.getLocalPort());
      System.out.flush();
      ss.setSoTimeout(60_000);
      try (Socket s = ss.accept()) {
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[CHUNK];
        while (true) {
          long size;
          try {
            size = in.readLong();
          } catch (java.io.EOFException eof) {
            break;
          }
          long left = size;
          while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new IOException("sender closed mid-round");
            left -= n;
          }
          out.write(1);
          out.flush();
        }
      }
    }
    System.exit(0);
  }

  /** The {@code --fresh} sink: fresh direct memory per round, filled straight from the socket. */
  private static void freshSink() throws IOException {
    try (java.nio.channels.ServerSocketChannel ss = java.nio.channels.ServerSocketChannel.open()) {
      ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      System.out.println("PORT " + ((InetSocketAddress) ss.getLocalAddress()).getPort());
      System.out.flush();
      // a channel's accept has no timeout: a sender that never comes must not leave us behind
      java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
      Thread watchdog = new Thread(() -> {
        try {
          if (!connected.await(60, java.util.concurrent.TimeUnit.SECONDS)) System.exit(3);
        } catch (InterruptedException ignored) {
          // exiting anyway
        }
      }, "raw-socket-sink-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      try (java.nio.channels.SocketChannel s = ss.accept()) {
        connected.countDown();
        s.socket().setTcpNoDelay(true);
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(8);
        java.nio.ByteBuffer ack = java.nio.ByteBuffer.allocate(1);
        while (true) {
          header.clear();
          while (header.hasRemaining()) {
            if (s.read(header) < 0) return; // the sender is done
          }
          long left = header.flip().getLong();
          java.util.List<java.nio.ByteBuffer> round = new java.util.ArrayList<>();
          while (left > 0) {
            java.nio.ByteBuffer piece =
                java.nio.ByteBuffer.allocateDirect((int) Math.min(1L << 30, left));
            round.add(piece);
            while (piece.hasRemaining()) {
              if (s.read(piece) < 0) throw new IOException("sender closed mid-round");
            }
            left -= piece.capacity();
          }
          round.clear(); // garbage now: the next round allocates its own
          ack.clear().put((byte) 1).flip();
          s.write(ack);
        }
      }
    }
  }

  /** Result of the raw copy: median and best MB/s (10^6 bytes per second). */
  public record Result(double medianMbS, double bestMbS, int rounds, long bytes) {
    /** The median round's time in milliseconds. */
    public double medianMillis() {
      return bytes / (medianMbS * 1e6) * 1e3;
    }
  }

  /**
   * Forks the sink and sends {@code bytes} per round, {@code warmup} + {@code rounds} times,
   * timing each round from the first write to the sink's acknowledgement.
   */
  public static Result measure(
      List<String> sinkCommand, Path log, long bytes, int warmup, int rounds, long timeoutS)
      throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    try (ChildProcess sink = ChildProcess.start("raw-socket-sink", sinkCommand, log, line -> {
      if (line.startsWith("PORT ")) port.complete(Integer.parseInt(line.substring(5).trim()));
    })) {
      sink.process().onExit().thenRun(() -> port.completeExceptionally(
          new IOException("raw socket sink exited early:\n" + sink.tail(20))));
      int p = port.get(timeoutS, TimeUnit.SECONDS);
      byte[] chunk = new byte[CHUNK];
      for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31);
      long[] times = new long[rounds];
      try (Socket s = new Socket()) {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 10_000);
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(timeoutS));
        java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
        InputStream in = s.getInputStream();
        for (int r = 0; r < warmup + rounds; r++) {
          long t0 = System.nanoTime();
          out.writeLong(bytes);
          long left = bytes;
          while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            out.write(chunk, 0, n);
            left -= n;
          }
          out.flush();
          if (in.read() != 1) throw new IOException("raw socket sink did not acknowledge");
          long t1 = System.nanoTime();
          if (r >= warmup) times[r - warmup] = t1 - t0;
        }
      }
      sink.waitFor(timeoutS, TimeUnit.SECONDS);
      Arrays.sort(times);
      double median = bytes / 1e6 / (Stats.percentileSorted(times, 50) / 1e9);
      double best = bytes / 1e6 / (times[0] / 1e9);
      return new Result(median, best, rounds, bytes);
    }
  }
}
