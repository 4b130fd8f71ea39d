package io.unitcell.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unitcell.topology.Switchover.Alert;
import io.unitcell.topology.Switchover.EpochReport;
import io.unitcell.topology.Switchover.Finished;
import io.unitcell.topology.Switchover.Input;
import io.unitcell.topology.Switchover.Kind;
import io.unitcell.topology.Switchover.Phase;
import io.unitcell.topology.Switchover.Reparent;
import io.unitcell.topology.Switchover.ReparentFailed;
import io.unitcell.topology.Switchover.Reparented;
import io.unitcell.topology.Switchover.Replication;
import io.unitcell.topology.Switchover.Request;
import io.unitcell.topology.Switchover.Settings;
import io.unitcell.topology.Switchover.Step;
import io.unitcell.topology.Switchover.TabletPosition;
import io.unitcell.topology.Switchover.Tick;
import io.unitcell.topology.Switchover.WatchReplication;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SwitchoverTest {

  static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");
  static final Settings SETTINGS =
      new Settings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

  RoutingTable table;
  Switchover switchover;

  @BeforeEach
  void publishInitialTable() {
    table =
        RoutingTable.of(
            41,
            Planner.assign(
                16,
                List.of(new Planner.CellWeight("cell-1", 1), new Planner.CellWeight("cell-2", 1))),
            Map.of(
                "cell-1", CellRoute.serving("zone-a", "a1:8080"),
                "cell-2", CellRoute.serving("zone-b", "b1:8080")));
  }

  static Request request(Kind kind, Map<String, Long> lastKnown) {
    return new Request(
        "cell-1",
        kind,
        "zone-b",
        Set.of("zone-b"),
        List.of("b7:8080", "b8:8080"),
        lastKnown,
        SETTINGS);
  }

  static List<EpochReport> participants(long epoch) {
    return List.of(
        new EpochReport("router-a", epoch, T0),
        new EpochReport("router-b", epoch, T0),
        new EpochReport("cell-1@zone-a", epoch, T0),
        new EpochReport("cell-1@zone-b", epoch, T0));
  }

  static Instant t(int seconds) {
    return T0.plusSeconds(seconds);
  }

  static TabletPosition tablet(String shard, String zone, boolean primary, long position) {
    return new TabletPosition(shard, shard + "-" + zone, zone, primary, true, position);
  }

  /** Shards -80 (primary at 1000) and 80- (primary and replica at 500) of cell-1. */
  static Replication twoShardsWithReplicaOfFirstAt(long position, Instant at) {
    return new Replication(
        List.of(
            tablet("-80", "zone-a", true, 1000),
            tablet("-80", "zone-b", false, position),
            tablet("80-", "zone-a", true, 500),
            tablet("80-", "zone-b", false, 500)),
        at);
  }

  /** Feeds an input and publishes the table the step asks for, like a driver would. */
  Step feed(Input input) {
    Step step = switchover.on(input, table);
    switchover = step.switchover();
    step.table().ifPresent(next -> table = next);
    return step;
  }

  Step begin(Request request, List<EpochReport> participants) {
    Step step = Switchover.begin(request, table, participants, T0);
    switchover = step.switchover();
    table = step.table().orElseThrow();
    return step;
  }

  @Test
  void plannedSwitchoverFencesWaitsForEveryAckAndCatchUpThenServesInTheNewZone() {
    Step step = begin(request(Kind.PLANNED, Map.of()), participants(41));
    assertThat(table.epoch()).isEqualTo(42);
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.FENCED);
    assertThat(table.route("cell-1").zone()).isEqualTo("zone-a");
    assertThat(table.route("cell-2").state()).isEqualTo(CellState.SERVING);
    assertThat(switchover.phase()).isEqualTo(Phase.FENCING);
    assertThat(switchover.awaitedParticipants()).hasSize(4);

    feed(new EpochReport("router-a", 42, t(1)));
    feed(new EpochReport("router-b", 42, t(1)));
    feed(new EpochReport("cell-1@zone-a", 42, t(2)));
    assertThat(switchover.phase()).isEqualTo(Phase.FENCING);
    assertThat(switchover.awaitedParticipants()).containsExactly("cell-1@zone-b");
    step = feed(new EpochReport("cell-1@zone-b", 43, t(2)));
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);
    assertThat(step.actions()).containsExactly(new WatchReplication("cell-1"));

    // the replica of -80 lags: no reparent yet
    step = feed(twoShardsWithReplicaOfFirstAt(990, t(3)));
    assertThat(step.actions()).isEmpty();
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);

    step = feed(twoShardsWithReplicaOfFirstAt(1000, t(4)));
    assertThat(step.actions())
        .containsExactly(
            new Reparent(Kind.PLANNED, "cell-1", Map.of("-80", "-80-zone-b", "80-", "80--zone-b")));
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.FENCED);

    step = feed(new Reparented(Map.of("-80", 1000L, "80-", 500L), t(5)));
    assertThat(switchover.phase()).isEqualTo(Phase.DONE);
    assertThat(table.epoch()).isEqualTo(43);
    assertThat(table.route("cell-1")).isEqualTo(CellRoute.serving("zone-b", "b7:8080", "b8:8080"));
    assertThat(table.slots()).isEqualTo(step.table().orElseThrow().slots());
    assertThat(switchover.outcome().lostTransactions())
        .containsOnly(Map.entry("-80", 0L), Map.entry("80-", 0L));
    assertThat(step.actions()).noneMatch(Alert.class::isInstance);
  }

  @Test
  void failoverExcludesTheDeadZoneAfterTheTimeoutAndReportsTheLossWindow() {
    begin(
        request(Kind.FAILOVER, Map.of("-80", 1010L, "80-", 500L)),
        List.of(
            new EpochReport("router-a", 41, t(-3)),
            new EpochReport("router-b", 41, T0),
            new EpochReport("cell-1@zone-a", 41, t(-5)),
            new EpochReport("cell-1@zone-b", 41, T0)));
    feed(new EpochReport("router-b", 42, t(1)));
    feed(new EpochReport("cell-1@zone-b", 42, t(1)));
    // zone-a is dark: its router and cell never answer; the fence waits for them until they count
    // as dead, never a fixed sleep
    feed(new Tick(t(4)));
    assertThat(switchover.awaitedParticipants()).containsExactly("cell-1@zone-a", "router-a");
    feed(new Tick(t(6)));
    assertThat(switchover.phase()).isEqualTo(Phase.FENCING);
    assertThat(switchover.awaitedParticipants()).containsExactly("router-a");
    Step step = feed(new Tick(t(8)));
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);
    assertThat(step.actions()).containsExactly(new WatchReplication("cell-1"));

    // the primaries are unreachable; the most advanced replica of each shard in zone-b wins
    step =
        feed(
            new Replication(
                List.of(
                    new TabletPosition("-80", "a-1", "zone-a", true, false, 0),
                    tablet("-80", "zone-b", false, 1003),
                    new TabletPosition("-80", "b-2", "zone-b", false, true, 1007),
                    new TabletPosition("80-", "a-2", "zone-a", true, false, 0),
                    tablet("80-", "zone-b", false, 500)),
                t(12)));
    assertThat(step.actions())
        .containsExactly(
            new Reparent(Kind.FAILOVER, "cell-1", Map.of("-80", "b-2", "80-", "80--zone-b")));
    step = feed(new Reparented(Map.of("-80", 1007L, "80-", 500L), t(14)));
    assertThat(switchover.phase()).isEqualTo(Phase.DONE);
    assertThat(switchover.outcome().lostTransactions())
        .containsOnly(Map.entry("-80", 3L), Map.entry("80-", 0L));
    assertThat(switchover.outcome().knownLostTransactions()).isEqualTo(3);
    assertThat(step.actions())
        .anySatisfy(a -> assertThat(a).isInstanceOf(Alert.class).asString().contains("-80=3"));
    assertThat(table.route("cell-1").zone()).isEqualTo("zone-b");
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.SERVING);
  }

  @Test
  void failoverWithoutAKnownPrimaryPositionSaysTheLossIsUnknown() {
    begin(request(Kind.FAILOVER, Map.of()), List.of());
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);
    feed(new Replication(List.of(tablet("0", "zone-b", false, 77)), t(1)));
    Step step = feed(new Reparented(Map.of("0", 77L), t(2)));
    assertThat(switchover.outcome().dataLossUnknown()).isTrue();
    assertThat(step.actions()).anyMatch(Alert.class::isInstance);
  }

  @Test
  void plannedSwitchoverAbortsWhenALiveParticipantNeverAcknowledges() {
    begin(request(Kind.PLANNED, Map.of()), participants(41));
    for (int s = 5; s <= 30; s += 5) {
      feed(new EpochReport("router-a", 42, t(s)));
      feed(new EpochReport("router-b", 41, t(s))); // alive but stuck on the old table
      feed(new EpochReport("cell-1@zone-a", 42, t(s)));
      feed(new EpochReport("cell-1@zone-b", 42, t(s)));
    }
    assertThat(switchover.phase()).isEqualTo(Phase.FENCING);
    Step step = feed(new Tick(t(31)));
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThat(table.epoch()).isEqualTo(43);
    assertThat(table.route("cell-1")).isEqualTo(CellRoute.serving("zone-a", "a1:8080"));
    assertThat(step.actions()).anyMatch(Finished.class::isInstance);
    assertThat(switchover.outcome().reason()).contains("router-b");
  }

  @Test
  void failoverNeverUnfencesOnTimeoutButAlertsOnce() {
    begin(request(Kind.FAILOVER, Map.of()), participants(41));
    feed(new EpochReport("router-b", 41, t(25)));
    Step step = feed(new Tick(t(31)));
    assertThat(step.actions()).singleElement().isInstanceOf(Alert.class);
    feed(new EpochReport("router-b", 41, t(35)));
    step = feed(new Tick(t(40)));
    assertThat(step.actions()).isEmpty();
    assertThat(switchover.phase()).isEqualTo(Phase.FENCING);
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.FENCED);
  }

  @Test
  void plannedSwitchoverAbortsWhenReplicasDoNotCatchUp() {
    begin(request(Kind.PLANNED, Map.of()), List.of());
    feed(
        new Replication(
            List.of(tablet("0", "zone-a", true, 9), tablet("0", "zone-b", false, 8)), t(30)));
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);
    feed(new Tick(t(61)));
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.SERVING);
    assertThat(table.route("cell-1").zone()).isEqualTo("zone-a");
  }

  @Test
  void aFailedPlannedReparentRestoresTheOldZone() {
    begin(request(Kind.PLANNED, Map.of()), List.of());
    feed(
        new Replication(
            List.of(tablet("0", "zone-a", true, 9), tablet("0", "zone-b", false, 9)), t(1)));
    assertThat(switchover.phase()).isEqualTo(Phase.REPARENTING);
    feed(new ReparentFailed("tablet b-1 unreachable", t(2)));
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThat(table.route("cell-1").zone()).isEqualTo("zone-a");
  }

  @Test
  void aCancelledPlannedSwitchoverServesInTheOldZoneUnlessItIsReparenting() {
    begin(request(Kind.PLANNED, Map.of()), List.of());
    feed(
        new Replication(
            List.of(tablet("0", "zone-a", true, 9), tablet("0", "zone-b", false, 8)), t(1)));
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);
    Step step = feed(new Switchover.Cancel("vtctld unreachable", t(2)));
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThat(table.route("cell-1")).isEqualTo(CellRoute.serving("zone-a", "a1:8080"));
    assertThat(switchover.outcome().reason()).contains("cancelled: vtctld unreachable");
    assertThat(switchover.outcome().dataLossUnknown()).isFalse();
    assertThat(switchover.outcome().knownLostTransactions()).isZero();
    assertThat(step.actions()).anyMatch(Finished.class::isInstance);

    publishInitialTable();
    begin(request(Kind.PLANNED, Map.of()), List.of());
    feed(
        new Replication(
            List.of(tablet("0", "zone-a", true, 9), tablet("0", "zone-b", false, 9)), t(1)));
    assertThat(switchover.phase()).isEqualTo(Phase.REPARENTING);
    assertThatThrownBy(() -> feed(new Switchover.Cancel("bored", t(2))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("switchover of cell cell-1 is REPARENTING: cannot take Cancel");
  }

  @Test
  void aCancelledFailoverStaysFencedAndAlerts() {
    begin(request(Kind.FAILOVER, Map.of()), List.of());
    Step step = feed(new Switchover.Cancel("driver stopped", t(1)));
    assertThat(step.actions()).singleElement().isInstanceOf(Alert.class);
    assertThat(switchover.phase()).isEqualTo(Phase.CATCHING_UP);
    assertThat(table.route("cell-1").state()).isEqualTo(CellState.FENCED);
  }

  @Test
  void refusesASecondSwitchoverOfTheSameCell() {
    begin(request(Kind.PLANNED, Map.of()), participants(41));
    assertThatThrownBy(
            () -> Switchover.begin(request(Kind.FAILOVER, Map.of()), table, List.of(), t(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cell cell-1 is fenced: a switchover of it is already under way (epoch 42)");
  }

  @Test
  void refusesAZoneWithoutAStandby() {
    Request toZoneC =
        new Request(
            "cell-1", Kind.PLANNED, "zone-c", Set.of("zone-b"), List.of("c:1"), Map.of(), null);
    assertThatThrownBy(() -> Switchover.begin(toZoneC, table, List.of(), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cell cell-1 has no standby in zone zone-c (standby zones: [zone-b])");
    Request toItsOwnZone =
        new Request(
            "cell-1", Kind.PLANNED, "zone-a", Set.of("zone-a"), List.of("a:1"), Map.of(), null);
    assertThatThrownBy(() -> Switchover.begin(toItsOwnZone, table, List.of(), T0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cell cell-1 is already active in zone zone-a");
  }

  @Test
  void refusesAPlannedSwitchoverOfADownCellAndUnknownCells() {
    RoutingTable down = table.nextWithRoute("cell-1", r -> r.withState(CellState.DOWN));
    assertThatThrownBy(() -> Switchover.begin(request(Kind.PLANNED, Map.of()), down, List.of(), T0))
        .hasMessage("cell cell-1 is DOWN: a planned switchover needs it up; fail it over");
    assertThat(Switchover.begin(request(Kind.FAILOVER, Map.of()), down, List.of(), T0).table())
        .hasValueSatisfying(t -> assertThat(t.route("cell-1").state()).isEqualTo(CellState.FENCED));
    Request unknown =
        new Request(
            "cell-9", Kind.PLANNED, "zone-b", Set.of("zone-b"), List.of("b:1"), Map.of(), null);
    assertThatThrownBy(() -> Switchover.begin(unknown, table, List.of(), T0))
        .hasMessage("routing table has no cell cell-9");
  }

  @Test
  void refusesInputsThatDoNotFitThePhase() {
    begin(request(Kind.PLANNED, Map.of()), participants(41));
    assertThatThrownBy(() -> feed(new Reparented(Map.of("0", 1L), t(1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("switchover of cell cell-1 is FENCING: cannot take Reparented");
    RoutingTable unfencedBySomeoneElse =
        table.nextWithRoute("cell-1", r -> r.withState(CellState.SERVING));
    assertThatThrownBy(() -> switchover.on(new Tick(t(1)), unfencedBySomeoneElse))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no longer fenced");
  }

  @Test
  void refusesInputsAfterTheEnd() {
    begin(request(Kind.PLANNED, Map.of()), List.of());
    feed(new Tick(t(61)));
    assertThat(switchover.phase()).isEqualTo(Phase.ABORTED);
    assertThatThrownBy(() -> feed(new Tick(t(62))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("switchover of cell cell-1 has ended (ABORTED)");
  }

  @Test
  void keepsOtherCellsChangesMadeDuringTheSwitchover() {
    begin(request(Kind.PLANNED, Map.of()), List.of());
    table = table.nextWithRoute("cell-2", r -> r.inZone("zone-b", List.of("b2:8080")));
    feed(
        new Replication(
            List.of(tablet("0", "zone-a", true, 9), tablet("0", "zone-b", false, 9)), t(1)));
    feed(new Reparented(Map.of("0", 9L), t(2)));
    assertThat(table.epoch()).isEqualTo(44);
    assertThat(table.route("cell-2").endpoints()).containsExactly("b2:8080");
    assertThat(table.route("cell-1").zone()).isEqualTo("zone-b");
  }
}
