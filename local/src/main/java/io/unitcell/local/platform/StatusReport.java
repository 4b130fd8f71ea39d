package io.unitcell.local.platform;

import io.unitcell.infra.process.HttpProbe;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** The text of {@code ./unitcell status}: the table's epoch, each cell's route and instances. */
final class StatusReport {

  private StatusReport() {}

  static String of(Platform platform) {
    RoutingTable table = platform.tables().current();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "topology %s: epoch %d, %d slots, router http://127.0.0.1:%d (%s)%n",
            platform.manifest().topology().name(),
            table.epoch(),
            table.slotCount(),
            platform.routerPort(),
            platform.router().isAlive() ? "up" : "DOWN"));
    out.append(
        String.format(
            "%-8s %-8s %-8s %6s  %-16s %s%n",
            "CELL", "ZONE", "STATE", "SLOTS", "5XX (LAST MIN)", "INSTANCES"));
    for (Manifests.Cell cell : platform.manifest().cells()) {
      CellRoute route = table.route(cell.name());
      List<String> shown = new ArrayList<>();
      platform.instances().ofCell(cell.name()).stream()
          .sorted((a, b) -> Boolean.compare(b.active(), a.active()))
          .forEach(
              i ->
                  shown.add(
                      i.zone()
                          + (i.active() ? "" : "(standby)")
                          + ":"
                          + i.port()
                          + " "
                          + health(i)));
      out.append(
          String.format(
              "%-8s %-8s %-8s %6d  %-16s %s%n",
              cell.name(),
              route.zone(),
              route.state(),
              table.slotCountOf(cell.name()),
              platform.metrics().recentErrors(cell.name()),
              String.join(", ", shown)));
    }
    shards(platform, out);
    out.append(
        String.format(
            "vitess: vtgate 127.0.0.1:%d, keyspaces %s; infinispan %s%n",
            platform.vitess().vtgatePort(),
            platform.vitess().keyspaces(),
            new TreeMap<>(platform.caches())
                .entrySet().stream()
                    .map(
                        e ->
                            e.getKey()
                                + " "
                                + e.getValue().hosts()
                                + (e.getValue().isRunning() ? "" : " DOWN"))
                    .toList()));
    platform.switchovers().lastLines().forEach(line -> out.append(line).append('\n'));
    out.append("logs and data: ").append(platform.state().platformDir()).append('\n');
    return out.toString();
  }

  /** Each cell's shards with the zone of their primary and of their replicas, as Vitess says. */
  private static void shards(Platform platform, StringBuilder out) {
    List<VitessCluster.TabletType> tablets;
    try {
      tablets = platform.vitess().tabletTypes();
    } catch (RuntimeException e) {
      out.append("shards: unknown (vtctld did not answer: ")
          .append(String.valueOf(e.getMessage()).lines().findFirst().orElse(""))
          .append(")\n");
      return;
    }
    out.append(
        String.format(
            "%-8s %-10s %-6s %-10s %s%n", "CELL", "KEYSPACE", "SHARD", "PRIMARY", "REPLICAS"));
    for (Manifests.Cell cell : platform.manifest().cells()) {
      for (String shard : platform.vitess().shards()) {
        List<VitessCluster.TabletType> ofShard =
            tablets.stream()
                .filter(
                    t ->
                        t.tablet().keyspace().equals(cell.keyspace())
                            && t.tablet().shard().equals(shard))
                .toList();
        String primary =
            ofShard.stream()
                .filter(t -> t.type().equals("primary"))
                .map(t -> platform.manifest().zoneOfVitessCell(t.tablet().zone()))
                .findFirst()
                .orElse("NONE");
        String replicas =
            String.join(
                ", ",
                ofShard.stream()
                    .filter(t -> !t.type().equals("primary"))
                    .map(
                        t ->
                            platform.manifest().zoneOfVitessCell(t.tablet().zone())
                                + (t.type().equals("replica") ? "" : " (" + t.type() + ")"))
                    .toList());
        out.append(
            String.format(
                "%-8s %-10s %-6s %-10s %s%n",
                cell.name(), cell.keyspace(), shard, primary, replicas));
      }
    }
  }

  private static String health(Instance instance) {
    try {
      return HttpProbe.ok(instance.port(), "/q/health/ready") ? "ready" : "NOT READY";
    } catch (Exception e) {
      return "DOWN";
    }
  }
}
