package io.ava.bench.workloads;

import java.util.List;
import java.util.Optional;

/** Every workload, by name, in the order {@code all} runs them. */
public final class Workloads {
  private Workloads() {}

  private static final List<Workload> ALL = List.of(
      new Backprop(),
      new Bfs(),
      new BTree(),
      new Dwt2d(),
      new Gaussian(),
      new Heartwall(),
      new Hybridsort(),
      new Kmeans(),
      new LavaMd(),
      new Lud(),
      new Myocyte(),
      new Nn(),
      new Nw(),
      new Pathfinder(),
      new Srad());

  public static List<Workload> all() {
    return ALL;
  }

  public static Optional<Workload> byName(String name) {
    return ALL.stream().filter(w -> w.name().equalsIgnoreCase(name)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(Workload::name).toList();
  }
}
