package io.unitcell.local.platform;

import io.unitcell.infra.app.CellAppProcess;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.state.LocalState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cell-app instances of the platform, by name, and how one is started: the packaged cell app
 * with its cell's keyspace (through vtgate), its cell's own Infinispan server and the routing-table
 * file.
 */
final class Instances {

  private final Map<String, Instance> byName = new ConcurrentHashMap<>();
  private final LocalState state;
  private final Manifests.Loaded manifest;
  private final VitessCluster vitess;
  private final Map<String, InfinispanServer> caches;

  Instances(
      LocalState state,
      Manifests.Loaded manifest,
      VitessCluster vitess,
      Map<String, InfinispanServer> caches) {
    this.state = state;
    this.manifest = manifest;
    this.vitess = vitess;
    this.caches = caches;
  }

  /** Starts {@code planned}'s process and waits until it is ready; returns it with its process. */
  Instance start(Instance planned) {
    Map<String, String> env = new TreeMap<>();
    env.put("UNITCELL_CELL", planned.cell());
    env.put("UNITCELL_ROUTING_TABLE", state.tableFile().toString());
    env.put("UNITCELL_DB_URL", vitess.jdbcUrl(manifest.cell(planned.cell()).keyspace()));
    env.put("UNITCELL_CACHE_HOSTS", caches.get(planned.cell()).hosts());
    env.put("UNITCELL_ROUTER_SECRET", state.routerSecret());
    // several JVMs share a laptop's cores: one GC thread each; the full JIT (the quick tier alone
    // made every request cost about twice the CPU)
    env.put("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC");
    return planned.withApp(
        CellAppProcess.start(
            planned.name(),
            state.repo().resolve("cell-app/target/quarkus-app/quarkus-run.jar"),
            env,
            state.platformDir().resolve("cells"),
            planned.port()));
  }

  void put(Instance instance) {
    byName.put(instance.name(), instance);
  }

  Instance get(String name) {
    return byName.get(name);
  }

  /** Every instance, sorted by name. */
  List<Instance> all() {
    return new TreeMap<>(byName).values().stream().toList();
  }

  List<Instance> ofCell(String cell) {
    return all().stream().filter(i -> i.cell().equals(cell)).toList();
  }

  /** A restarted instance keeps the active flag a switchover may have set meanwhile. */
  void restarted(Instance again) {
    byName.compute(
        again.name(), (name, now) -> now == null ? again : again.withActive(now.active()));
  }

  /** After a switchover of {@code cell}: the instances in {@code zone} are its active ones. */
  void activate(String cell, String zone) {
    for (Instance i : ofCell(cell)) {
      byName.put(i.name(), i.withActive(i.zone().equals(zone)));
    }
  }

  /** Removes every instance and returns their processes, for stopping. */
  List<CellAppProcess> clear() {
    List<CellAppProcess> apps =
        byName.values().stream().map(Instance::app).filter(a -> a != null).toList();
    byName.clear();
    return apps;
  }
}
