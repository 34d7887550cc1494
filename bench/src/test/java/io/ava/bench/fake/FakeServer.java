package io.ava.bench.fake;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Stands in for ava-server in tests: {@code --fake-mode exit|silent|ok|die-after-start}. */
public final class FakeServer {
  public static void main(String[] args) throws Exception {
    String mode = "ok";
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--fake-mode")) mode = args[i + 1];
    }
    switch (mode) {
      case "exit" -> {
        System.err.println("fake server: cannot open device");
        System.exit(3);
      }
      case "silent" -> Thread.sleep(600_000);
      default -> {
        try (ServerSocket ss = new ServerSocket()) {
          ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
          System.out.println("some log line first");
          // what ServerProcessTest checks of the JVM it was started in
          System.out.println("TieredStopAtLevel=" + java.lang.management.ManagementFactory
              .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
              .getVMOption("TieredStopAtLevel").getValue());
          System.out.println("GLIBC_TUNABLES=" + System.getenv("GLIBC_TUNABLES"));
          System.out.println("ava-server listening on 127.0.0.1:" + ss.getLocalPort());
          System.out.flush();
          if (mode.equals("die-after-start")) {
            Thread.sleep(300);
            System.exit(4);
          }
          Thread.sleep(600_000);
        }
      }
    }
  }
}
