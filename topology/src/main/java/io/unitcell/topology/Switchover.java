package io.unitcell.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The switchover of one cell to another zone, as a pure state machine: no I/O, no clock, no
 * threads. The caller feeds it inputs (epoch reports of routers and cells, replication positions,
 * reparent results, clock ticks) together with the routing table in force, and carries out the
 * actions it returns.
 *
 * <ol>
 *   <li>Fence: publish the table with the cell {@link CellState#FENCED} at epoch F. Wait until
 *       every live participant (router or cell) reports an epoch of F or more; a participant silent
 *       for longer than {@link Settings#participantDeadAfter} is dead and no longer waited for.
 *   <li>Data: planned, wait until a replica in the target zone has every transaction of its shard's
 *       primary, then ask for a planned reparent to it; failover, ask for an emergency reparent to
 *       the most advanced replica in the target zone. The positions reached are recorded, so a
 *       data-loss window is known and reported, never silent.
 *   <li>Serve: publish the table with the cell {@link CellState#SERVING} in the target zone.
 * </ol>
 *
 * A planned switchover that cannot fence or catch up in time is aborted: the cell serves again in
 * its old zone. A failover is never unfenced into its dead zone; it raises an alert and keeps
 * waiting instead.
 */
public final class Switchover {

  /** Why the cell moves. */
  public enum Kind {
    /** Both zones are healthy: no data may be lost. */
    PLANNED,
    /** The active zone failed: promote the best replica there is and report any loss. */
    FAILOVER
  }

  /** Where a switchover is. */
  public enum Phase {
    FENCING,
    CATCHING_UP,
    REPARENTING,
    DONE,
    ABORTED;

    public boolean ended() {
      return this == DONE || this == ABORTED;
    }
  }

  /** Time limits. */
  public record Settings(
      Duration participantDeadAfter, Duration fenceTimeout, Duration catchUpTimeout) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  /**
   * What to switch over.
   *
   * @param standbyZones the zones the cell has a standby in (from its spec)
   * @param targetEndpoints the cell's endpoints in the target zone
   * @param lastKnownPrimaryPositions for a failover, the last position seen on each shard's primary
   *     before it was lost; a shard missing here has an unknown loss window
   */
  public record Request(
      String cell,
      Kind kind,
      String targetZone,
      Set<String> standbyZones,
      List<String> targetEndpoints,
      Map<String, Long> lastKnownPrimaryPositions,
      Settings settings) {
    public Request {
      Objects.requireNonNull(cell, "cell");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(targetZone, "targetZone");
      standbyZones = Set.copyOf(standbyZones);
      targetEndpoints = List.copyOf(targetEndpoints);
      lastKnownPrimaryPositions = Map.copyOf(lastKnownPrimaryPositions);
      settings = settings == null ? Settings.DEFAULT : settings;
    }
  }

  /** Something the switchover is told. Every input carries the time it was observed. */
  public sealed interface Input {
    Instant at();
  }

  /** A router or cell reports the routing-table epoch it has applied. */
  public record EpochReport(String participant, long epoch, Instant at) implements Input {}

  /** The clock moved on. */
  public record Tick(Instant at) implements Input {}

  /** Replication positions of the cell's tablets, as seen now. */
  public record Replication(List<TabletPosition> tablets, Instant at) implements Input {
    public Replication {
      tablets = List.copyOf(tablets);
    }
  }

  /**
   * One tablet of one of the cell's shards: its zone, whether it is the primary, whether it could
   * be reached, and its replication position (transactions applied from the shard's history).
   */
  public record TabletPosition(
      String shard, String alias, String zone, boolean primary, boolean reachable, long position) {}

  /** The requested reparent is done: each shard's new primary and its position then. */
  public record Reparented(Map<String, Long> positions, Instant at) implements Input {
    public Reparented {
      positions = Map.copyOf(positions);
    }
  }

  /** The requested reparent failed. */
  public record ReparentFailed(String reason, Instant at) implements Input {}

  /**
   * The driver cannot carry on (it lost the topology service it reads positions from, it is
   * shutting down, ...). Before the reparent nothing has moved: a planned switchover is aborted and
   * the cell serves again in its old zone; a failover keeps the cell fenced and alerts. While a
   * reparent runs it is refused: only the reparent's result says where the primary is.
   */
  public record Cancel(String reason, Instant at) implements Input {}

  /** Something the caller must do. */
  public sealed interface Action {}

  /** Publish this routing table. */
  public record PublishTable(RoutingTable table) implements Action {}

  /** Start feeding {@link Replication} inputs for the cell. */
  public record WatchReplication(String cell) implements Action {}

  /** Make these tablets (shard → alias) the primaries of their shards. */
  public record Reparent(Kind kind, String cell, Map<String, String> newPrimaries)
      implements Action {
    public Reparent {
      newPrimaries = Map.copyOf(newPrimaries);
    }
  }

  /** Tell a person: something needs a look (stuck fence, no replica to promote, failed step). */
  public record Alert(String message) implements Action {}

  /** The switchover ended; its outcome is in {@link Switchover#outcome()}. */
  public record Finished(Outcome outcome) implements Action {}

  /**
   * How it ended: the final zone, and per shard the transactions known to be lost (0 when none,
   * null when unknown because the old primary's last position was never seen).
   */
  public record Outcome(
      Phase phase, String activeZone, Map<String, Long> lostTransactions, String reason) {
    public boolean dataLossUnknown() {
      // not containsValue(null): immutable maps (an abort's Map.of()) throw on a null query
      return lostTransactions.values().stream().anyMatch(Objects::isNull);
    }

    public long knownLostTransactions() {
      return lostTransactions.values().stream().filter(Objects::nonNull).mapToLong(l -> l).sum();
    }
  }

  /** The next state and what to do now. */
  public record Step(Switchover switchover, List<Action> actions) {
    public Step {
      actions = List.copyOf(actions);
    }

    /** The table to publish in this step, if any. */
    public Optional<RoutingTable> table() {
      return actions.stream()
          .filter(PublishTable.class::isInstance)
          .map(a -> ((PublishTable) a).table())
          .findFirst();
    }
  }

  private final Request request;
  private final String fromZone;
  private final CellRoute fromRoute;
  private final Phase phase;
  private final long fenceEpoch;
  private final Instant phaseSince;
  private final Instant now;
  private final Map<String, EpochReport> participants;
  private final Map<String, String> chosen;
  private final Map<String, Long> primaryPositions;
  private final boolean alerted;
  private final Outcome outcome;

  private Switchover(
      Request request,
      String fromZone,
      CellRoute fromRoute,
      Phase phase,
      long fenceEpoch,
      Instant phaseSince,
      Instant now,
      Map<String, EpochReport> participants,
      Map<String, String> chosen,
      Map<String, Long> primaryPositions,
      boolean alerted,
      Outcome outcome) {
    this.request = request;
    this.fromZone = fromZone;
    this.fromRoute = fromRoute;
    this.phase = phase;
    this.fenceEpoch = fenceEpoch;
    this.phaseSince = phaseSince;
    this.now = now;
    this.participants = Map.copyOf(participants);
    this.chosen = Map.copyOf(chosen);
    this.primaryPositions = Map.copyOf(primaryPositions);
    this.alerted = alerted;
    this.outcome = outcome;
  }

  /**
   * Starts a switchover: checks it is legal and fences the cell.
   *
   * @param table the routing table in force
   * @param participants the latest epoch report of every router and cell known now
   * @throws IllegalArgumentException when the cell or zone is unknown to the request or table
   * @throws IllegalStateException when the cell cannot be switched now (already fenced, already in
   *     the target zone, a planned switchover of a cell that is down)
   */
  public static Step begin(
      Request request, RoutingTable table, List<EpochReport> participants, Instant now) {
    CellRoute route = table.route(request.cell());
    if (route == null) {
      throw new IllegalArgumentException("routing table has no cell " + request.cell());
    }
    if (route.state() == CellState.FENCED) {
      throw new IllegalStateException(
          "cell "
              + request.cell()
              + " is fenced: a switchover of it is already under way (epoch "
              + table.epoch()
              + ")");
    }
    if (request.targetZone().equals(route.zone())) {
      throw new IllegalStateException(
          "cell " + request.cell() + " is already active in zone " + route.zone());
    }
    if (!request.standbyZones().contains(request.targetZone())) {
      throw new IllegalArgumentException(
          "cell "
              + request.cell()
              + " has no standby in zone "
              + request.targetZone()
              + " (standby zones: "
              + new TreeSet<>(request.standbyZones())
              + ")");
    }
    if (request.targetEndpoints().isEmpty()) {
      throw new IllegalArgumentException(
          "cell " + request.cell() + " has no endpoints in zone " + request.targetZone());
    }
    if (request.kind() == Kind.PLANNED && route.state() == CellState.DOWN) {
      throw new IllegalStateException(
          "cell " + request.cell() + " is DOWN: a planned switchover needs it up; fail it over");
    }
    RoutingTable fenced = table.nextWithRoute(request.cell(), r -> r.withState(CellState.FENCED));
    Map<String, EpochReport> known = new HashMap<>();
    participants.forEach(r -> known.merge(r.participant(), r, Switchover::latest));
    Switchover started =
        new Switchover(
            request,
            route.zone(),
            route,
            Phase.FENCING,
            fenced.epoch(),
            now,
            now,
            known,
            Map.of(),
            Map.of(),
            false,
            null);
    List<Action> actions = new ArrayList<>();
    actions.add(new PublishTable(fenced));
    // with no live participant left to wait for, the fence holds at once
    return started.afterFenceCheck(fenced, actions);
  }

  /**
   * Feeds one input.
   *
   * @param table the routing table in force (it may hold other cells' changes since)
   * @throws IllegalStateException when the input does not fit the phase, or the switchover ended
   */
  public Step on(Input input, RoutingTable table) {
    if (phase.ended()) {
      throw new IllegalStateException(
          "switchover of cell " + request.cell() + " has ended (" + phase + ")");
    }
    CellRoute route = table.route(request.cell());
    if (route == null || route.state() != CellState.FENCED || table.epoch() < fenceEpoch) {
      throw new IllegalStateException(
          "cell "
              + request.cell()
              + " is no longer fenced in the routing table (epoch "
              + table.epoch()
              + "): someone else changed it during the switchover");
    }
    Instant at = input.at().isAfter(now) ? input.at() : now;
    Switchover current = this.at(at);
    List<Action> actions = new ArrayList<>();
    if (input instanceof EpochReport report) {
      return current.withReport(report).afterFenceCheck(table, actions);
    } else if (input instanceof Replication replication) {
      return current.onReplication(replication, table, actions);
    } else if (input instanceof Reparented reparented) {
      return current.onReparented(reparented, table, actions);
    } else if (input instanceof ReparentFailed failed) {
      return current.onReparentFailed(failed, table, actions);
    } else if (input instanceof Cancel cancel) {
      return current.onCancel(cancel, table, actions);
    }
    return current.afterTick(table, actions);
  }

  public Request request() {
    return request;
  }

  public Phase phase() {
    return phase;
  }

  /** The epoch at which the cell was fenced. */
  public long fenceEpoch() {
    return fenceEpoch;
  }

  public String fromZone() {
    return fromZone;
  }

  /** The outcome once the switchover has ended, else null. */
  public Outcome outcome() {
    return outcome;
  }

  /** Participants still to acknowledge the fence: live, and reporting an older epoch. */
  public List<String> awaitedParticipants() {
    return participants.values().stream()
        .filter(r -> r.epoch() < fenceEpoch)
        .filter(r -> !isDead(r))
        .map(EpochReport::participant)
        .sorted()
        .toList();
  }

  private boolean isDead(EpochReport report) {
    return Duration.between(report.at(), now).compareTo(request.settings().participantDeadAfter())
        > 0;
  }

  private Step afterFenceCheck(RoutingTable table, List<Action> actions) {
    if (phase != Phase.FENCING) {
      return new Step(this, actions);
    }
    if (awaitedParticipants().isEmpty()) {
      actions.add(new WatchReplication(request.cell()));
      return new Step(enter(Phase.CATCHING_UP), actions);
    }
    return afterTimeouts(table, actions);
  }

  private Step afterTick(RoutingTable table, List<Action> actions) {
    return phase == Phase.FENCING ? afterFenceCheck(table, actions) : afterTimeouts(table, actions);
  }

  private Step afterTimeouts(RoutingTable table, List<Action> actions) {
    Duration limit =
        phase == Phase.FENCING
            ? request.settings().fenceTimeout()
            : request.settings().catchUpTimeout();
    if (phase == Phase.REPARENTING || Duration.between(phaseSince, now).compareTo(limit) <= 0) {
      return new Step(this, actions);
    }
    String what =
        phase == Phase.FENCING
            ? "fence not acknowledged by " + awaitedParticipants()
            : "replicas in zone " + request.targetZone() + " did not catch up";
    String message =
        "switchover of cell " + request.cell() + ": " + what + " within " + limit.toSeconds() + "s";
    if (request.kind() == Kind.PLANNED) {
      return abort(message, table, actions);
    }
    // a failed zone must not serve again: keep the fence and ask a person
    if (!alerted) {
      actions.add(new Alert(message + "; cell stays fenced"));
    }
    return new Step(withAlerted(), actions);
  }

  private Step onReplication(Replication replication, RoutingTable table, List<Action> actions) {
    if (phase != Phase.CATCHING_UP) {
      if (phase == Phase.FENCING || phase == Phase.REPARENTING) {
        return afterTick(table, actions);
      }
      throw illegal(replication);
    }
    Map<String, List<TabletPosition>> byShard = new TreeMap<>();
    for (TabletPosition tablet : replication.tablets()) {
      byShard.computeIfAbsent(tablet.shard(), s -> new ArrayList<>()).add(tablet);
    }
    Map<String, String> newPrimaries = new TreeMap<>();
    Map<String, Long> primaries = new HashMap<>(request.lastKnownPrimaryPositions());
    List<String> waiting = new ArrayList<>();
    for (Map.Entry<String, List<TabletPosition>> shard : byShard.entrySet()) {
      Optional<TabletPosition> best =
          shard.getValue().stream()
              .filter(t -> t.reachable() && !t.primary() && t.zone().equals(request.targetZone()))
              .max(Comparator.comparingLong(TabletPosition::position));
      Optional<TabletPosition> primary =
          shard.getValue().stream().filter(t -> t.primary() && t.reachable()).findFirst();
      primary.ifPresent(p -> primaries.put(shard.getKey(), p.position()));
      if (best.isEmpty()) {
        waiting.add(shard.getKey() + " (no reachable replica in " + request.targetZone() + ")");
      } else if (request.kind() == Kind.PLANNED
          && (primary.isEmpty() || best.get().position() < primary.get().position())) {
        waiting.add(shard.getKey() + " (replica behind its primary)");
      } else {
        newPrimaries.put(shard.getKey(), best.get().alias());
      }
    }
    if (byShard.isEmpty() || !waiting.isEmpty()) {
      Switchover waitingState = withPrimaryPositions(primaries);
      if (request.kind() == Kind.FAILOVER && !waitingState.alerted && !byShard.isEmpty()) {
        actions.add(
            new Alert("failover of cell " + request.cell() + " cannot promote yet: " + waiting));
        waitingState = waitingState.withAlerted();
      }
      return waitingState.afterTimeouts(table, actions);
    }
    actions.add(new Reparent(request.kind(), request.cell(), newPrimaries));
    return new Step(withPrimaryPositions(primaries).withChosen(newPrimaries), actions);
  }

  private Step onReparented(Reparented reparented, RoutingTable table, List<Action> actions) {
    if (phase != Phase.REPARENTING) {
      throw illegal(reparented);
    }
    if (!reparented.positions().keySet().containsAll(chosen.keySet())) {
      throw new IllegalArgumentException(
          "reparent result lacks shards " + difference(chosen.keySet(), reparented.positions()));
    }
    Map<String, Long> lost = new TreeMap<>();
    for (String shard : chosen.keySet()) {
      Long before = primaryPositions.get(shard);
      lost.put(
          shard, before == null ? null : Math.max(0, before - reparented.positions().get(shard)));
    }
    RoutingTable serving =
        table.nextWithRoute(
            request.cell(),
            r -> new CellRoute(request.targetZone(), request.targetEndpoints(), CellState.SERVING));
    Outcome result = new Outcome(Phase.DONE, request.targetZone(), lost, "switched over");
    actions.add(new PublishTable(serving));
    actions.add(new Finished(result));
    if (result.dataLossUnknown() || result.knownLostTransactions() > 0) {
      actions.add(
          new Alert(
              "failover of cell "
                  + request.cell()
                  + " lost transactions per shard (null = unknown): "
                  + lost));
    }
    return new Step(ended(Phase.DONE, result), actions);
  }

  private Step onReparentFailed(ReparentFailed failed, RoutingTable table, List<Action> actions) {
    if (phase != Phase.REPARENTING) {
      throw illegal(failed);
    }
    String message = "reparent of cell " + request.cell() + " failed: " + failed.reason();
    if (request.kind() == Kind.PLANNED) {
      return abort(message, table, actions);
    }
    actions.add(new Alert(message + "; retrying"));
    actions.add(new Reparent(request.kind(), request.cell(), chosen));
    return new Step(this, actions);
  }

  private Step onCancel(Cancel cancel, RoutingTable table, List<Action> actions) {
    if (phase == Phase.REPARENTING) {
      throw illegal(cancel);
    }
    String message = "switchover of cell " + request.cell() + " cancelled: " + cancel.reason();
    if (request.kind() == Kind.PLANNED) {
      return abort(message, table, actions);
    }
    actions.add(new Alert(message + "; cell stays fenced"));
    return new Step(withAlerted(), actions);
  }

  private Step abort(String reason, RoutingTable table, List<Action> actions) {
    RoutingTable restored = table.nextWithRoute(request.cell(), r -> fromRoute);
    Outcome result = new Outcome(Phase.ABORTED, fromZone, Map.of(), reason);
    actions.add(new PublishTable(restored));
    actions.add(new Alert(reason + "; aborted, cell serves again in zone " + fromZone));
    actions.add(new Finished(result));
    return new Step(ended(Phase.ABORTED, result), actions);
  }

  private IllegalStateException illegal(Input input) {
    return new IllegalStateException(
        "switchover of cell "
            + request.cell()
            + " is "
            + phase
            + ": cannot take "
            + input.getClass().getSimpleName());
  }

  private static EpochReport latest(EpochReport a, EpochReport b) {
    return b.at().isAfter(a.at()) ? b : a;
  }

  private static List<String> difference(Set<String> wanted, Map<String, Long> got) {
    return wanted.stream().filter(s -> !got.containsKey(s)).sorted().toList();
  }

  private Switchover withReport(EpochReport report) {
    Map<String, EpochReport> reports = new HashMap<>(participants);
    reports.merge(report.participant(), report, Switchover::latest);
    return copy(phase, phaseSince, now, reports, chosen, primaryPositions, alerted, outcome);
  }

  private Switchover at(Instant time) {
    return copy(phase, phaseSince, time, participants, chosen, primaryPositions, alerted, outcome);
  }

  private Switchover enter(Phase next) {
    return copy(next, now, now, participants, chosen, primaryPositions, false, outcome);
  }

  private Switchover withAlerted() {
    return copy(phase, phaseSince, now, participants, chosen, primaryPositions, true, outcome);
  }

  private Switchover withPrimaryPositions(Map<String, Long> positions) {
    return copy(phase, phaseSince, now, participants, chosen, positions, alerted, outcome);
  }

  private Switchover withChosen(Map<String, String> newPrimaries) {
    return copy(
        Phase.REPARENTING, now, now, participants, newPrimaries, primaryPositions, false, outcome);
  }

  private Switchover ended(Phase end, Outcome result) {
    return copy(end, now, now, participants, chosen, primaryPositions, alerted, result);
  }

  private Switchover copy(
      Phase newPhase,
      Instant newPhaseSince,
      Instant newNow,
      Map<String, EpochReport> newParticipants,
      Map<String, String> newChosen,
      Map<String, Long> newPrimaryPositions,
      boolean newAlerted,
      Outcome newOutcome) {
    return new Switchover(
        request,
        fromZone,
        fromRoute,
        newPhase,
        fenceEpoch,
        newPhaseSince,
        newNow,
        newParticipants,
        newChosen,
        newPrimaryPositions,
        newAlerted,
        newOutcome);
  }
}
