package io.unitcell.operator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.unitcell.infra.process.ManagedProcess;
import io.unitcell.operator.Samples;
import io.unitcell.operator.Snapshot;
import io.unitcell.operator.crds.CrdValidationTest;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.naming.TableNames;
import io.unitcell.operator.support.LeaderElection;
import io.unitcell.operator.table.RoutingTableConfigMap;
import io.unitcell.testbed.KubeTestbed;
import io.unitcell.testbed.WithKubeTestbed;
import io.unitcell.topology.RoutingTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator (operator/target/quarkus-app) as processes against a real API server (Tier
 * 1), the way a Deployment runs it: it gets ready, takes the leader Lease, and reconciles; a second
 * replica stands by and takes over when the leader is killed; an operator started again on a steady
 * state writes nothing.
 */
@WithKubeTestbed(tier = 1)
class OperatorProcessIT {

  static final String NS = "operator-process";
  static final Path JAR =
      Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
  static final Duration WAIT = Duration.ofSeconds(90);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final List<ManagedProcess> operators = new ArrayList<>();

  @AfterEach
  void stopOperators() {
    operators.forEach(ManagedProcess::close);
  }

  record Running(ManagedProcess process, int port) {}

  Running startOperator(KubeTestbed testbed, String identity) {
    int port = ManagedProcess.freePort();
    ManagedProcess operator =
        ManagedProcess.start(
            identity,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                JAR.toString()),
            testbed.directory(),
            Map.of(
                "KUBECONFIG",
                testbed.kubeconfig().toString(),
                // in a pod: the downward API's namespace and the pod name
                "POD_NAMESPACE",
                NS,
                "HOSTNAME",
                identity,
                "QUARKUS_HTTP_PORT",
                String.valueOf(port),
                "QUARKUS_OPERATOR_SDK_NAMESPACES",
                "JOSDK_ALL_NAMESPACES"),
            null);
    operators.add(operator);
    operator.awaitReady(WAIT, () -> status(port, "/q/health/live") == 200);
    return new Running(operator, port);
  }

  /** Reconciliations the operator finished, from its Prometheus endpoint. */
  static double reconciliations(int port) throws Exception {
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(line -> line.startsWith("operator_sdk_reconciliations_success_total"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  static int status(int port, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  static String leader(KubernetesClient client) {
    Lease lease = client.leases().inNamespace(NS).withName(LeaderElection.LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  static RoutingTable table(KubernetesClient client) {
    return RoutingTableConfigMap.table(
        client.configMaps().inNamespace(NS).withName(TableNames.configMap("shop")).get());
  }

  @Test
  void oneLeaderReconcilesAStandbyTakesOverAndARestartWritesNothing(
      KubeTestbed testbed, KubernetesClient client) throws Exception {
    CrdValidationTest.installCrds(client, NS);
    ManagedProcess first = startOperator(testbed, "operator-1").process();
    await().atMost(WAIT).until(() -> "operator-1".equals(leader(client)));
    ManagedProcess second = startOperator(testbed, "operator-2").process();

    client.resource(Samples.topology(NS, "shop", "zone-a", "zone-b")).create();
    client.resource(Samples.cell(NS, "cell-1", "shop", "zone-a", "zone-b")).create();
    client.resource(Samples.cell(NS, "cell-2", "shop", "zone-b", "zone-a")).create();
    await().atMost(WAIT).until(() -> table(client) != null && table(client).cells().size() == 2);
    assertThat(client.apps().deployments().inNamespace(NS).withName("cell-1-zone-a").get())
        .isNotNull();
    assertThat(leader(client)).isEqualTo("operator-1");

    // the leader dies without a word: the standby takes the Lease when it expires, and reconciles
    first.kill();
    await().atMost(WAIT).until(() -> "operator-2".equals(leader(client)));
    long epoch = table(client).epoch();
    client
        .resources(Cell.class)
        .inNamespace(NS)
        .withName("cell-2")
        .edit(
            c -> {
              c.getSpec().setWeight(3);
              return c;
            });
    await().atMost(WAIT).until(() -> table(client).epoch() == epoch + 1);
    assertThat(table(client).slotCountOf("cell-2")).isEqualTo(768);

    // steady state; then a fresh operator process reconciles everything again and writes nothing
    Map<String, String> before =
        Snapshot.settled(
            client,
            NS,
            Duration.ofSeconds(3),
            () ->
                Integer.valueOf(768)
                    .equals(
                        client
                            .resources(Cell.class)
                            .inNamespace(NS)
                            .withName("cell-2")
                            .get()
                            .getStatus()
                            .getSlots()));
    long events = Snapshot.operatorEvents(client, NS);
    second.kill();
    Running third = startOperator(testbed, "operator-3");
    await().atMost(WAIT).until(() -> "operator-3".equals(leader(client)));
    // the new leader reconciles the Topology and both Cells on start; then a little longer
    await().atMost(WAIT).until(() -> reconciliations(third.port()) >= 3);
    Thread.sleep(3_000);
    assertThat(Snapshot.of(client, NS)).isEqualTo(before);
    assertThat(Snapshot.operatorEvents(client, NS)).isEqualTo(events);
  }
}
