package io.ava.bench.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the agent printed about a migration on the workload's stderr (AVA_MIGRATION_CALL_ID set):
 * the trigger, the move with the application's stall ({@code calls waited <ms> ms}) or why it did
 * not happen, and the call count at exit. Line numbers are kept so that the caller can check that
 * the trigger came where it meant it to (after the workload's setup).
 */
public final class AgentOutput {

  static final Pattern TRIGGER = Pattern.compile("start live migration at call_id (\\d+)");
  static final Pattern MOVED = Pattern.compile(
      "ava: session (\\S+) moved from (\\S+) to (\\S+) \\((.*)\\); calls waited (\\d+) ms");
  static final Pattern NOT_HAPPENED = Pattern.compile("ava: live migration did not happen \\((.*)\\)");
  static final Pattern CANNOT_RESUME = Pattern.compile("ava: cannot resume the session on .*");
  static final Pattern FINAL_COUNT = Pattern.compile("Final call count = (\\d+)");

  /** the call id the agent triggered the migration at, or null */
  public Long triggerCallId;
  /** index of the trigger line in the output, -1 if none */
  public int triggerLine = -1;
  public String sessionId;
  public String movedFrom;
  public String movedTo;
  public String targetName;
  /** the application's stall as the agent measured it, or null when it did not move */
  public Long callsWaitedMs;
  public int movedLine = -1;
  /** the agent's reasons, when the migration did not happen or the client could not resume */
  public final List<String> failures = new ArrayList<>();
  public Long finalCallCount;

  public static AgentOutput parse(List<String> lines) {
    AgentOutput o = new AgentOutput();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m;
      if ((m = TRIGGER.matcher(line)).find()) {
        o.triggerCallId = Long.parseLong(m.group(1));
        o.triggerLine = i;
      } else if ((m = MOVED.matcher(line)).find()) {
        o.sessionId = m.group(1);
        o.movedFrom = m.group(2);
        o.movedTo = m.group(3);
        o.targetName = m.group(4);
        o.callsWaitedMs = Long.parseLong(m.group(5));
        o.movedLine = i;
      } else if ((m = NOT_HAPPENED.matcher(line)).find()) {
        o.failures.add(m.group());
      } else if ((m = CANNOT_RESUME.matcher(line)).find()) {
        o.failures.add(m.group());
      } else if ((m = FINAL_COUNT.matcher(line)).find()) {
        o.finalCallCount = Long.parseLong(m.group(1));
      }
    }
    return o;
  }

  public boolean moved() {
    return callsWaitedMs != null;
  }
}
