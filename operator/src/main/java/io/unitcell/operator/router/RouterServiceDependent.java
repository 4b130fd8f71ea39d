package io.unitcell.operator.router;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.RouterNames;

/** The users' endpoint of the topology: {@code <topology>-router:8080}. */
public class RouterServiceDependent extends CRUDKubernetesDependentResource<Service, Topology> {

  public RouterServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(Topology topology, Context<Topology> context) {
    return new ServiceBuilder()
        .withMetadata(RouterNames.metadata(topology))
        .withNewSpec()
        .withSelector(RouterNames.podLabels(topology))
        .addNewPort()
        .withName("http")
        .withPort(RouterNames.PROXY_PORT)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }
}
