package io.ava.bench.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How a run of a workload is executed. */
public enum Mode {
  /** plain JOCL on this machine's OpenCL, in a forked JVM */
  NATIVE,
  /** the same JVM under the ava agent, against one ava-server the runner started */
  REMOTE,
  /** as remote, against server A, with AVA_MIGRATION_CALL_ID=r&lt;calls&gt;: the session moves to B
   */
  MIGRATE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Mode parse(String text) {
    for (Mode m : values()) {
      if (m.label().equalsIgnoreCase(text.trim())) return m;
    }
    throw new IllegalArgumentException("unknown mode '" + text + "' (native, remote, migrate)");
  }

  /** Parses a list of labels, keeping this enum's order and dropping repeats. */
  public static List<Mode> parseAll(List<String> texts) {
    List<Mode> chosen = new ArrayList<>();
    for (String t : texts) {
      Mode m = parse(t);
      if (!chosen.contains(m)) chosen.add(m);
    }
    chosen.sort(null);
    return chosen;
  }
}
