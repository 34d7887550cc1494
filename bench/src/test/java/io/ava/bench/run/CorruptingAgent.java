package io.ava.bench.run;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A java agent that intercepts nothing (the workload runs natively under it) but changes the last
 * digit of the checksum the workload prints: a remote run with a wrong result, for the runner.
 */
public final class CorruptingAgent {
  public static void premain(String args) {
    OutputStream real = new FileOutputStream(FileDescriptor.out);
    System.setOut(new PrintStream(new LineRewriter(real), true, StandardCharsets.UTF_8));
  }

  static final class LineRewriter extends OutputStream {
    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineRewriter(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      line.write(b);
      if (b == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (s.contains(": checksum ")) {
          int i = s.stripTrailing().length() - 1;
          s = s.substring(0, i) + (s.charAt(i) == '0' ? '1' : '0') + s.substring(i + 1);
        }
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }
}
