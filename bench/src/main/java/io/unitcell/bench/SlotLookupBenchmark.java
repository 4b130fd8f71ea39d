package io.unitcell.bench;

import io.unitcell.topology.CellRoute;
import io.unitcell.topology.Planner;
import io.unitcell.topology.Planner.CellWeight;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.SlotHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's per-request lookup: user id → slot ({@link SlotHash}) → cell route ({@link
 * RoutingTable}). Ids cycle through a pool larger than the L1 cache so the table is not always hot.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SlotLookupBenchmark {

  @Param({"1024", "16384"})
  int slots;

  @Param({"12", "40"})
  int userIdLength;

  private static final int POOL = 1 << 14;

  private String[] userIds;
  private RoutingTable table;
  private int next;

  @Setup
  public void setUp() {
    userIds = new String[POOL];
    for (int i = 0; i < POOL; i++) {
      String id = "user-" + i + "-";
      userIds[i] = (id + "x".repeat(userIdLength)).substring(0, userIdLength);
    }
    List<CellWeight> cells = new ArrayList<>();
    Map<String, CellRoute> routes = new TreeMap<>();
    for (int c = 0; c < 16; c++) {
      cells.add(new CellWeight("cell-" + c, 100 + c));
      routes.put("cell-" + c, CellRoute.serving("zone-" + (c % 2), "10.0.0." + c + ":8080"));
    }
    table = RoutingTable.of(1, Planner.assign(slots, cells), routes);
  }

  private String nextUser() {
    next = (next + 1) & (POOL - 1);
    return userIds[next];
  }

  @Benchmark
  public int slotOfUser() {
    return SlotHash.slotOf(nextUser(), slots);
  }

  @Benchmark
  public CellRoute routeOfUser() {
    return table.routeOfSlot(table.slotOfUser(nextUser()));
  }

  /** The floor: picking the next id from the pool, with no hashing or lookup. */
  @Benchmark
  public String baselineNextUser() {
    return nextUser();
  }
}
