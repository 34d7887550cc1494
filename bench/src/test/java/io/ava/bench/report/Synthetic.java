package io.ava.bench.report;

import io.ava.bench.run.Mode;
import io.ava.bench.run.RunRecord;
import java.util.ArrayList;
import java.util.List;

/** Made-up results with round numbers, for the report tests. */
final class Synthetic {
  private Synthetic() {}

  static RunRecord run(Mode mode, String w, int r, double wall, double openCl) {
    RunRecord x = new RunRecord(mode, w, r);
    x.ok = true;
    x.exitCode = 0;
    x.wallMs = wall;
    x.openClMs = openCl;
    x.workloadMs = openCl + 10;
    x.log = "logs/" + w + "/" + mode.label() + "-" + r + ".stderr.log";
    return x;
  }

  static RunRecord migration(String w, int r, double wall, long call, long calls,
      double downtime, double total) {
    RunRecord x = run(Mode.MIGRATE, w, r, wall, wall / 2);
    x.callIndex = call;
    x.callCount = calls;
    x.downtimeMs = downtime;
    x.migrationTotalMs = total;
    x.serverDowntimeMs = total;
    x.breakdown.put("replay_ms", total / 4);
    x.breakdown.put("transfer_ms", total / 2);
    x.stateBytes = 1e6;
    x.movedTo = "127.0.0.1:5000";
    return x;
  }

  /**
   * Two workloads. a: native 100/100/400 (median 100), remote 200/300/250 (median 250): 2.5x.
   * b: native 50, 70 (median 60), remote 600 and a failed 1 ms run: 10x. Geomean sqrt(25) = 5.
   * OpenCL part: a 40 vs 80 (2x), b 20 vs 160 (8x): geomean 4.
   */
  static List<RunRecord> runs() {
    List<RunRecord> l = new ArrayList<>();
    l.add(run(Mode.NATIVE, "a", 1, 100, 40));
    l.add(run(Mode.NATIVE, "a", 2, 100, 40));
    l.add(run(Mode.NATIVE, "a", 3, 400, 40));
    l.add(run(Mode.REMOTE, "a", 1, 200, 80));
    l.add(run(Mode.REMOTE, "a", 2, 300, 80));
    l.add(run(Mode.REMOTE, "a", 3, 250, 80));
    l.add(migration("a", 1, 500, 10, 100, 40, 50));
    l.add(migration("a", 2, 700, 90, 100, 60, 70));
    RunRecord bad = migration("a", 3, 1, 50, 100, 1, 1);
    bad.ok = false;
    bad.errors.add("wrong result: its stdout differs from the native run's");
    l.add(bad);
    l.add(run(Mode.NATIVE, "b", 1, 50, 20));
    l.add(run(Mode.NATIVE, "b", 2, 70, 20));
    l.add(run(Mode.REMOTE, "b", 1, 600, 160));
    RunRecord failed = run(Mode.REMOTE, "b", 2, 1, 1);
    failed.ok = false;
    failed.exitCode = 1;
    failed.errors.add("wrong result: exit status 1 (b: WRONG RESULT (x))");
    l.add(failed);
    l.add(migration("b", 1, 900, 5, 20, 30, 35));
    return l;
  }
}
