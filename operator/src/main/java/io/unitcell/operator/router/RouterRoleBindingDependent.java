package io.unitcell.operator.router;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.RouterNames;

/** Binds the routers' Role to their ServiceAccount. */
public class RouterRoleBindingDependent
    extends CRUDKubernetesDependentResource<RoleBinding, Topology> {

  public RouterRoleBindingDependent() {
    super(RoleBinding.class);
  }

  @Override
  protected RoleBinding desired(Topology topology, Context<Topology> context) {
    String name = RouterNames.name(topology);
    return new RoleBindingBuilder()
        .withMetadata(RouterNames.metadata(topology))
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(name)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(name)
        .withNamespace(topology.getMetadata().getNamespace())
        .endSubject()
        .build();
  }
}
