package io.unitcell.local.switchover;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.topology.CellRoute;
import io.unitcell.topology.CellState;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.Switchover;
import io.unitcell.topology.Switchover.Outcome;
import io.unitcell.topology.Switchover.Phase;
import io.unitcell.topology.Switchover.TabletPosition;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The switchover driver against a fake database and runtime: what the cell does when the driver's
 * tools fail. No participants (nobody reads the table), so the fence is acknowledged at once.
 */
class LocalSwitchoverTest {

  RoutingTable table =
      RoutingTable.of(
          7,
          Planner.assign(16, List.of(new Planner.CellWeight("cell-1", 1))),
          Map.of("cell-1", CellRoute.serving("zone-a", "127.0.0.1:1")));
  final List<Outcome> ended = new ArrayList<>();
  final List<String> reparented = new ArrayList<>();
  Supplier<Map<String, URI>> participants = Map::of;
  Consumer<String> onSay = line -> {};

  final LocalSwitchover.Runtime runtime =
      new LocalSwitchover.Runtime() {
        @Override
        public Switchover.Step step(Function<RoutingTable, Switchover.Step> next) {
          synchronized (LocalSwitchoverTest.this) {
            Switchover.Step step = next.apply(table);
            step.table().ifPresent(t -> table = t);
            return step;
          }
        }

        @Override
        public Map<String, URI> participants(String cell) {
          return participants.get();
        }

        @Override
        public void say(String line) {
          System.out.println(line);
          onSay.accept(line);
        }

        @Override
        public void ended(String cell, Outcome outcome) {
          ended.add(outcome);
        }
      };

  LocalSwitchover switchover(LocalSwitchover.Database database) {
    return new LocalSwitchover(
        new Switchover.Request(
            "cell-1",
            Switchover.Kind.PLANNED,
            "zone-b",
            Set.of("zone-a", "zone-b"),
            List.of("127.0.0.1:2"),
            Map.of(),
            new Switchover.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2))),
        "cell_1",
        database,
        runtime,
        HttpClient.newHttpClient(),
        "secret");
  }

  static List<TabletPosition> positions(long primary, long replica) {
    return List.of(
        new TabletPosition("-", "a-1", "zone-a", true, true, primary),
        new TabletPosition("-", "b-1", "zone-b", false, true, replica));
  }

  LocalSwitchover.Database database(Supplier<List<TabletPosition>> positions) {
    return new LocalSwitchover.Database() {
      @Override
      public List<TabletPosition> positions() {
        return positions.get();
      }

      @Override
      public long reparent(String shard, String alias) {
        reparented.add(shard + " " + alias);
        return 42;
      }
    };
  }

  @Test
  void caughtUpReplicaIsReparentedAndTheCellServesInTheNewZone() throws Exception {
    LocalSwitchover switchover = switchover(database(() -> positions(42, 42)));
    switchover.begin();
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.FENCED);
    switchover.run();
    assertThat(switchover.phase()).isEqualTo(Phase.DONE);
    assertThat(reparented).containsExactly("- b-1");
    assertThat(table.route("cell-1")).isEqualTo(CellRoute.serving("zone-b", "127.0.0.1:2"));
    assertThat(ended).singleElement().extracting(Outcome::activeZone).isEqualTo("zone-b");
  }

  @Test
  void unreadablePositionsAbortAtTheCatchUpTimeoutAndTheOldZoneServesAgain() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    LocalSwitchover switchover =
        switchover(
            database(
                () -> {
                  asked.incrementAndGet();
                  throw new IllegalStateException("vtctldclient GetShard: connection refused");
                }));
    switchover.begin();
    switchover.run();
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThat(asked.get()).isGreaterThan(1);
    assertThat(reparented).isEmpty();
    assertThat(table.route("cell-1")).isEqualTo(CellRoute.serving("zone-a", "127.0.0.1:1"));
    assertThat(table.epoch()).isEqualTo(9);
    assertThat(switchover.progress().lines().filter(l -> l.contains("unavailable")))
        .singleElement()
        .asString()
        .contains("connection refused");
    assertThat(ended).singleElement().extracting(Outcome::phase).isEqualTo(Phase.ABORTED);
  }

  @Test
  void aDriverThatFailsUnexpectedlyCancelsAndTheOldZoneServesAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    participants =
        () -> {
          if (calls.incrementAndGet() > 1) {
            throw new IllegalStateException("supervisor state lost");
          }
          return Map.of();
        };
    LocalSwitchover switchover = switchover(database(() -> positions(42, 41)));
    switchover.begin();
    switchover.run();
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThat(switchover.outcome().reason()).contains("cancelled", "supervisor state lost");
    assertThat(table.route("cell-1")).isEqualTo(CellRoute.serving("zone-a", "127.0.0.1:1"));
    assertThat(ended).hasSize(1);
  }

  @Test
  void whoeverSeesTheSwitchoverEndedAlsoSeesTheLineThatSaysHowItEnded() throws Exception {
    LocalSwitchover switchover = switchover(database(() -> positions(42, 42)));
    List<LocalSwitchover.Progress> seen = new ArrayList<>();
    // what a follower (./unitcell switchover) would read at each moment a line is written
    onSay = line -> seen.add(progressNow(switchover));
    switchover.begin();
    switchover.run();
    seen.add(progressNow(switchover));
    assertThat(seen)
        .filteredOn(progress -> progress.phase().ended())
        .isNotEmpty()
        .allSatisfy(
            progress ->
                assertThat(progress.lines()).contains("active in zone-b; transactions lost 0"));
  }

  static LocalSwitchover.Progress progressNow(LocalSwitchover switchover) {
    try {
      return switchover.awaitProgress(Integer.MAX_VALUE, Duration.ZERO);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
