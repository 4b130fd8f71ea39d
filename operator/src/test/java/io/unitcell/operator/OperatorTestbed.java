package io.unitcell.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.unitcell.operator.crds.CrdValidationTest;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A reconciler run by JOSDK in the test JVM against the testbed's API server. */
public final class OperatorTestbed {
  private OperatorTestbed() {}

  /** Installs the CRDs, creates {@code namespace} and starts {@code reconcilers}. */
  public static Operator start(
      KubernetesClient client, String namespace, Reconciler<?>... reconcilers) throws Exception {
    CrdValidationTest.installCrds(client, namespace);
    return run(client, reconcilers);
  }

  /**
   * Starts {@code reconcilers} in one JOSDK operator (CRDs installed already). Stopping it leaves
   * {@code client} open, so a test can start the operator again (a restart).
   */
  public static Operator run(KubernetesClient client, Reconciler<?>... reconcilers) {
    return run(client, Metrics.NOOP, reconcilers);
  }

  /** As {@link #run(KubernetesClient, Reconciler[])}, reporting to {@code metrics}. */
  public static Operator run(
      KubernetesClient client, Metrics metrics, Reconciler<?>... reconcilers) {
    Operator operator =
        new Operator(
            o -> o.withKubernetesClient(client).withCloseClientOnStop(false).withMetrics(metrics));
    for (Reconciler<?> reconciler : reconcilers) {
      operator.register(reconciler);
    }
    operator.start();
    return operator;
  }

  /** The resources whose reconciliation finished, by kind/namespace/name. */
  public static final class Reconciled implements Metrics {
    private final Set<String> finished = ConcurrentHashMap.newKeySet();

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
      finished.add(key(resource));
    }

    public boolean includes(HasMetadata resource) {
      return finished.contains(key(resource));
    }

    private static String key(HasMetadata resource) {
      return resource.getKind()
          + "/"
          + resource.getMetadata().getNamespace()
          + "/"
          + resource.getMetadata().getName();
    }
  }
}
