package io.unitcell.local.platform;

import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.switchover.LocalSwitchover;
import io.unitcell.topology.RoutingTable;
import io.unitcell.topology.Switchover;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The cells' switchovers: each runs {@link LocalSwitchover} (the same state machine as the
 * operator's) on its own thread with this platform as its runtime; the latest of each cell, running
 * or ended, is kept for {@code ./unitcell status} and {@code switchover}.
 */
final class Switchovers {

  private final Map<String, LocalSwitchover> latest = new ConcurrentHashMap<>();
  private final Manifests.Loaded manifest;
  private final VitessCluster vitess;
  private final Tables tables;
  private final Instances instances;
  private final IntSupplier routerManagementPort;
  private final HttpClient http;
  private final String routerSecret;
  private final Consumer<String> say;

  Switchovers(
      Manifests.Loaded manifest,
      VitessCluster vitess,
      Tables tables,
      Instances instances,
      IntSupplier routerManagementPort,
      HttpClient http,
      String routerSecret,
      Consumer<String> say) {
    this.manifest = manifest;
    this.vitess = vitess;
    this.tables = tables;
    this.instances = instances;
    this.routerManagementPort = routerManagementPort;
    this.http = http;
    this.routerSecret = routerSecret;
    this.say = say;
  }

  /** Whether a switchover of {@code cell} is under way (it owns the cell's route meanwhile). */
  boolean switching(String cell) {
    LocalSwitchover running = latest.get(cell);
    return running != null && running.outcome() == null;
  }

  Optional<LocalSwitchover> latest(String cell) {
    return Optional.ofNullable(latest.get(cell));
  }

  /** The last progress line of each cell's latest switchover. */
  List<String> lastLines() {
    return new TreeMap<>(latest)
        .entrySet().stream()
            .map(
                e -> {
                  List<String> lines = e.getValue().progress().lines().toList();
                  return lines.isEmpty()
                      ? "switchover of " + e.getKey()
                      : lines.get(lines.size() - 1);
                })
            .toList();
  }

  /**
   * Fences the cell and carries on in the background (to {@code to}, default the zone of its warm
   * standby).
   *
   * @throws IllegalArgumentException for an unknown zone
   * @throws IllegalStateException when one is under way, or the state machine refuses it now
   */
  LocalSwitchover start(Manifests.Cell cell, String to) throws Exception {
    String from = tables.current().route(cell.name()).zone();
    String target =
        to != null ? to : from.equals(cell.primaryZone()) ? cell.standbyZone() : cell.primaryZone();
    if (manifest.topology().zones().stream().noneMatch(z -> z.name().equals(target))) {
      throw new IllegalArgumentException(
          "no zone "
              + target
              + "; zones: "
              + manifest.topology().zones().stream().map(Manifests.Zone::name).toList());
    }
    List<String> endpoints =
        instances.ofCell(cell.name()).stream()
            .filter(i -> i.zone().equals(target) && i.isAlive())
            .map(Instance::endpoint)
            .sorted()
            .toList();
    Runtime runtime = new Runtime();
    LocalSwitchover switchover =
        new LocalSwitchover(
            new Switchover.Request(
                cell.name(),
                Switchover.Kind.PLANNED,
                target,
                Set.of(cell.primaryZone(), cell.standbyZone()),
                endpoints,
                Map.of(),
                null),
            cell.keyspace(),
            new VitessDatabase(vitess, cell.keyspace(), manifest::zoneOfVitessCell),
            runtime,
            http,
            routerSecret);
    // under the table lock: the watchdog's re-routing asks switching() under it too
    synchronized (tables) {
      if (switching(cell.name())) {
        throw new IllegalStateException("a switchover of " + cell.name() + " is under way");
      }
      switchover.begin();
      latest.put(cell.name(), switchover);
    }
    Thread thread = new Thread(switchover::run, "switchover-" + cell.name());
    thread.setDaemon(true);
    thread.start();
    return switchover;
  }

  /** What a switchover may do to this platform. */
  private final class Runtime implements LocalSwitchover.Runtime {
    @Override
    public Switchover.Step step(Function<RoutingTable, Switchover.Step> next) throws IOException {
      return tables.step(next);
    }

    @Override
    public Map<String, URI> participants(String cell) {
      Map<String, URI> participants = new TreeMap<>();
      participants.put(
          "router",
          URI.create("http://127.0.0.1:" + routerManagementPort.getAsInt() + "/admin/table"));
      instances
          .ofCell(cell)
          .forEach(
              i ->
                  participants.put(
                      i.name(), URI.create("http://127.0.0.1:" + i.port() + "/admin/table")));
      return participants;
    }

    @Override
    public void ended(String cell, Switchover.Outcome outcome) {
      // the instances in the zone the cell now serves from are its active ones
      instances.activate(cell, outcome.activeZone());
    }

    @Override
    public void say(String line) {
      say.accept(line);
    }
  }
}
