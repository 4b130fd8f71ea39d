package io.unitcell.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.unitcell.operator.crds.v1alpha1.Cell;
import io.unitcell.operator.crds.v1alpha1.Topology;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the operator has written in a namespace, as kind/name → version: equal snapshots mean the
 * operator wrote nothing in between. Deployments and HPAs also get status from controllers, so for
 * them the spec's generation, labels and owners stand in (what the operator writes there). Events
 * are counted apart ({@link #operatorEvents}): controllers keep recording theirs.
 */
public final class Snapshot {
  private Snapshot() {}

  public static Map<String, String> of(KubernetesClient client, String namespace) {
    Map<String, String> versions = new TreeMap<>();
    Stream.of(
            client.resources(Topology.class).inNamespace(namespace).list().getItems(),
            client.resources(Cell.class).inNamespace(namespace).list().getItems(),
            client.configMaps().inNamespace(namespace).list().getItems(),
            client.services().inNamespace(namespace).list().getItems(),
            client.serviceAccounts().inNamespace(namespace).list().getItems(),
            client.rbac().roles().inNamespace(namespace).list().getItems(),
            client.rbac().roleBindings().inNamespace(namespace).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems())
        .flatMap(List::stream)
        .forEach(o -> versions.put(key(o), o.getMetadata().getResourceVersion()));
    Stream.of(
            client.apps().deployments().inNamespace(namespace).list().getItems(),
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .list()
                .getItems())
        .flatMap(List::stream)
        .forEach(
            o ->
                versions.put(
                    key(o),
                    "generation "
                        + o.getMetadata().getGeneration()
                        + " labels "
                        + new TreeMap<>(o.getMetadata().getLabels())
                        + " owners "
                        + o.getMetadata().getOwnerReferences()));
    return versions;
  }

  private static String key(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  /** How many Events the operator has recorded in {@code namespace}. */
  public static long operatorEvents(KubernetesClient client, String namespace) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(
            e -> e.getSource() != null && "unitcell-operator".equals(e.getSource().getComponent()))
        .count();
  }

  /**
   * Waits until nothing changes over two polls {@code every} apart (and {@code also} holds), and
   * returns that snapshot: the steady state to compare with later.
   */
  public static Map<String, String> settled(
      KubernetesClient client,
      String namespace,
      java.time.Duration every,
      java.util.function.BooleanSupplier also) {
    java.util.concurrent.atomic.AtomicReference<Map<String, String>> last =
        new java.util.concurrent.atomic.AtomicReference<>();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(120))
        .pollInterval(every)
        .until(
            () -> {
              Map<String, String> now = of(client, namespace);
              boolean settled = now.equals(last.get()) && also.getAsBoolean();
              last.set(now);
              return settled;
            });
    return last.get();
  }
}
