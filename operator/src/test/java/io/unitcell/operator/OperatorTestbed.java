package io.unitcell.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.unitcell.operator.crds.CrdValidationTest;

/** A reconciler run by JOSDK in the test JVM against the testbed's API server. */
public final class OperatorTestbed {
  private OperatorTestbed() {}

  /** Installs the CRDs, creates {@code namespace} and starts {@code reconciler}. */
  public static Operator start(KubernetesClient client, String namespace, Reconciler<?> reconciler)
      throws Exception {
    CrdValidationTest.installCrds(client, namespace);
    Operator operator = new Operator(o -> o.withKubernetesClient(client));
    operator.register(reconciler);
    operator.start();
    return operator;
  }
}
