package io.unitcell.operator.router;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.RouterNames;

/** The routers' identity: it may read the topology's routing table and nothing else. */
public class RouterAccountDependent
    extends CRUDKubernetesDependentResource<ServiceAccount, Topology> {

  public RouterAccountDependent() {
    super(ServiceAccount.class);
  }

  @Override
  protected ServiceAccount desired(Topology topology, Context<Topology> context) {
    return new ServiceAccountBuilder()
        .withMetadata(RouterNames.metadata(topology))
        .withAutomountServiceAccountToken(true)
        .build();
  }
}
