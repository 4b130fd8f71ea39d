package io.unitcell.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.unitcell.operator.crds.CrdValidationTest;

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
    Operator operator =
        new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
    for (Reconciler<?> reconciler : reconcilers) {
      operator.register(reconciler);
    }
    operator.start();
    return operator;
  }
}
