package io.unitcell.operator.router;

import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.RouterNames;
import io.unitcell.operator.naming.TableNames;

/** Read access to exactly one ConfigMap: the topology's routing table (the router watches it). */
public class RouterRoleDependent extends CRUDKubernetesDependentResource<Role, Topology> {

  public RouterRoleDependent() {
    super(Role.class);
  }

  @Override
  protected Role desired(Topology topology, Context<Topology> context) {
    return new RoleBuilder()
        .withMetadata(RouterNames.metadata(topology))
        .addNewRule()
        .withApiGroups("")
        .withResources("configmaps")
        .withResourceNames(TableNames.configMap(topology.getMetadata().getName()))
        .withVerbs("get", "list", "watch")
        .endRule()
        .build();
  }
}
