package io.ava.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A wrong result never passes: verify() rejects corrupted outputs, and a run reports them. */
class CorruptionTest {

  @Test
  void pathfinderRejectsOneWrongCost() {
    Pathfinder w = new Pathfinder();
    Pathfinder.Input in = w.generate(Size.SMALL, 3);
    int[] expected = w.reference(in);
    assertTrue(w.verify(in, expected, expected.clone()).ok());
    int[] wrong = expected.clone();
    wrong[wrong.length / 2]++;
    Check check = w.verify(in, expected, wrong);
    assertFalse(check.ok());
    assertTrue(check.detail().contains("1 of " + wrong.length + " differ"), check.detail());
  }

  @Test
  void gaussianToleratesRoundingButNotAWrongSolution() {
    Gaussian w = new Gaussian();
    Gaussian.Input in = w.generate(Size.SMALL, 3);
    Gaussian.Output expected = w.reference(in);
    float[] rounded = expected.x().clone();
    rounded[0] = Math.nextUp(rounded[0]);
    assertTrue(w.verify(in, expected, new Gaussian.Output(rounded, expected.b())).ok());
    float[] wrong = expected.x().clone();
    wrong[5] += 0.01f;
    assertFalse(w.verify(in, expected, new Gaussian.Output(wrong, expected.b())).ok());
    float[] nan = expected.x().clone();
    nan[1] = Float.NaN;
    assertFalse(w.verify(in, expected, new Gaussian.Output(nan, expected.b())).ok());
  }

  @Test
  void hybridsortRejectsTwoSwappedElements() {
    Hybridsort w = new Hybridsort();
    Hybridsort.Input in = w.generate(Size.SMALL, 3);
    Hybridsort.Output expected = w.reference(in);
    float[] swapped = expected.sorted().clone();
    float t = swapped[10];
    swapped[10] = swapped[20];
    swapped[20] = t;
    assertFalse(
        w.verify(in, expected, new Hybridsort.Output(swapped, expected.bucketSizes())).ok());
    float[] shorter = java.util.Arrays.copyOf(expected.sorted(), expected.sorted().length - 1);
    assertFalse(
        w.verify(in, expected, new Hybridsort.Output(shorter, expected.bucketSizes())).ok());
  }

  @Test
  void kmeansRejectsOneMovedPoint() {
    Kmeans w = new Kmeans();
    Kmeans.Input in = w.generate(Size.SMALL, 3);
    Kmeans.Output expected = w.reference(in);
    int[] moved = expected.membership().clone();
    moved[42] = (moved[42] + 1) % in.k();
    Check check =
        w.verify(in, expected, new Kmeans.Output(moved, expected.centres(), expected.rounds()));
    assertFalse(check.ok());
    assertTrue(check.detail().startsWith("membership"), check.detail());
  }

  @Test
  void bTreeRejectsAMissedKey() {
    BTree w = new BTree();
    BTree.Input in = w.generate(Size.SMALL, 3);
    BTree.Output expected = w.reference(in);
    int[] found = expected.found().clone();
    found[0] = -1; // query 0 asks for a key that exists
    assertFalse(w.verify(in, expected,
        new BTree.Output(found, expected.rangeStarts(), expected.rangeCounts())).ok());
  }

  @Test
  void myocyteToleratesRoundingButNotAMissedBeat() {
    Myocyte w = new Myocyte();
    Myocyte.Input in = w.generate(Size.SMALL, 3);
    Myocyte.Output expected = w.reference(in);
    float[] rounded = expected.trace().clone();
    rounded[3] = Math.nextUp(rounded[3]);
    assertTrue(w.verify(in, expected,
        new Myocyte.Output(expected.beats(), expected.count(), rounded)).ok());
    int[] missed = expected.count().clone();
    missed[7]--;
    Check check = w.verify(in, expected,
        new Myocyte.Output(expected.beats(), missed, expected.trace()));
    assertFalse(check.ok());
    assertTrue(check.detail().startsWith("beat counts"), check.detail());
    float[] late = expected.beats().clone();
    late[4 * 5] += 0.05f; // cell 5's last upstroke one step late
    assertFalse(w.verify(in, expected,
        new Myocyte.Output(late, expected.count(), expected.trace())).ok());
  }

  @Test
  void heartwallAndDwt2dRejectOneWrongInteger() {
    Heartwall h = new Heartwall();
    Heartwall.Input hin = h.generate(Size.SMALL, 3);
    int[] track = h.reference(hin);
    assertTrue(h.verify(hin, track, track.clone()).ok());
    int[] moved = track.clone();
    moved[moved.length - 1]++; // the last point one pixel off in the last frame
    assertFalse(h.verify(hin, track, moved).ok());

    Dwt2d d = new Dwt2d();
    Dwt2d.Input din = d.generate(Size.SMALL, 3);
    int[] coefficients = d.reference(din);
    int[] wrong = coefficients.clone();
    wrong[wrong.length / 3] ^= 1;
    assertFalse(d.verify(din, coefficients, wrong).ok());
  }

  /** The device part of the run is replaced by one that returns a wrong result. */
  static final class BrokenPathfinder extends Pathfinder {
    @Override
    protected int[] compute(ClSession cl, Input in) {
      int[] result = super.compute(cl, in);
      result[0] = -1;
      return result;
    }
  }

  @Test
  void aWrongDeviceResultFailsTheRunAndTheExitStatus() {
    OpenClAvailable.require();
    Runs run = Runs.of(new BrokenPathfinder(), Size.SMALL, 1);
    assertFalse(run.result().verified());
    assertTrue(run.stdout().contains("pathfinder: WRONG RESULT (bottom-row cost: 1 of"),
        run.stdout());
    assertFalse(run.stdout().contains("pathfinder: ok"), run.stdout());

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = WorkloadMain.run(List.of(new Bfs(), new BrokenPathfinder()),
        new String[] {"all"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(WorkloadMain.WRONG, code, out.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("bfs: ok"));
  }
}
