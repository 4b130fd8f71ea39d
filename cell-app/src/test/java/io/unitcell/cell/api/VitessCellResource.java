package io.unitcell.cell.api;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.unitcell.infra.infinispan.InfinispanServer;
import io.unitcell.testbed.vitess.VitessTestbed;
import io.unitcell.topology.CellRoute;
import io.unitcell.topology.Planner;
import io.unitcell.topology.RoutingTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Starts what a cell runs on: a real two-shard Vitess keyspace with the cell's shipped schema and
 * VSchema, a real Infinispan server (in this JVM), and a routing table file in which cell-1 owns
 * every slot.
 */
public class VitessCellResource implements QuarkusTestResourceLifecycleManager {

  static final String CELL = "cell-1";
  static final String KEYSPACE = "orders";
  static final String ROUTER_SECRET = "test-router-secret";

  /**
   * Time budgets for tests. On the 2-core CI machine the app shares the cores with Vitess (9
   * processes), the Infinispan server and the test's own 50-200 client threads, and it starts with
   * a cold JIT; production budgets (300 ms for the cache, 1.5-2 s for the database) then run out
   * for no fault of the system under test. Failures are tested with real outages (vtgate killed,
   * Infinispan stopped), which fail fast whatever the budget.
   */
  public static final Map<String, String> GENEROUS_BUDGETS =
      Map.of(
          "unitcell.cache.timeout", "3s",
          "io.unitcell.cell.order.OrderService/find/Timeout/value", "5000",
          "io.unitcell.cell.order.OrderService/page/Timeout/value", "5000",
          "io.unitcell.cell.order.OrderService/create/Timeout/value", "5000",
          "io.unitcell.cell.order.OrderService/apply/Timeout/value", "5000",
          "io.unitcell.cell.order.OrderService/persistAccepted/Timeout/value", "5000");

  static VitessTestbed vitess;
  static InfinispanServer infinispan;
  static NotificationStub notifications;
  static Path tableFile;

  @Override
  public Map<String, String> start() {
    vitess =
        VitessTestbed.builder()
            .keyspace(KEYSPACE)
            .schema(resource("/db/schema.sql"))
            .vschema(resource("/db/vschema.json"))
            .start();
    try {
      tableFile = vitess.runDirectory().resolve("routing-table.json");
      infinispan = InfinispanServer.start(vitess.runDirectory().resolve("infinispan"));
      notifications = new NotificationStub();
    } catch (RuntimeException e) {
      vitess.close();
      throw e;
    }
    publish(table(1, CellRoute.serving("zone-a", "127.0.0.1:8081")));
    Map<String, String> config = new java.util.HashMap<>(GENEROUS_BUDGETS);
    config.putAll(
        Map.of(
            "quarkus.datasource.jdbc.url",
            "jdbc:mysql://127.0.0.1:" + vitess.vtgatePort() + "/" + KEYSPACE,
            "unitcell.cell.name",
            CELL,
            "unitcell.routing-table.file",
            tableFile.toString(),
            "unitcell.router.secret",
            ROUTER_SECRET,
            "unitcell.cache.hosts",
            infinispan.hosts(),
            "unitcell.notifications.url",
            notifications.url(),
            // slow enough to watch an order wait in the pipeline, fast enough for the tests
            "unitcell.flash-sale.persist-rate",
            "100"));
    return config;
  }

  @Override
  public void stop() {
    if (notifications != null) {
      notifications.close();
    }
    if (infinispan != null) {
      infinispan.close();
    }
    if (vitess != null) {
      vitess.close();
    }
  }

  public static RoutingTable table(long epoch, CellRoute route) {
    return RoutingTable.of(
        epoch, Planner.assign(1024, List.of(new Planner.CellWeight(CELL, 1))), Map.of(CELL, route));
  }

  /** Replaces the routing table file atomically, as the local runtime does. */
  static void publish(RoutingTable table) {
    try {
      Path tmp = Files.createTempFile(tableFile.getParent(), "table", ".json");
      Files.writeString(tmp, table.toJson());
      Files.move(
          tmp, tableFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String resource(String name) {
    try (InputStream in = VitessCellResource.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
