package io.unitcell.operator.router;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.unitcell.operator.crds.v1alpha1.RouterSpec;
import io.unitcell.operator.crds.v1alpha1.Topology;
import io.unitcell.operator.naming.Labels;
import io.unitcell.operator.naming.RouterNames;
import io.unitcell.operator.naming.TableNames;

/**
 * The topology's routers (router/): they watch the routing table ConfigMap under their own
 * ServiceAccount, are spread over the topology's zones, and are ready once a table is in use.
 */
public class RouterDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, Topology> {

  public RouterDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(Topology topology, Context<Topology> context) {
    RouterSpec router = topology.getSpec().getRouter();
    String name = topology.getMetadata().getName();
    var labels = RouterNames.podLabels(topology);
    return new DeploymentBuilder()
        .withMetadata(RouterNames.metadata(topology))
        .withNewSpec()
        .withReplicas(router.getReplicas())
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(RouterNames.name(topology))
        .addNewTopologySpreadConstraint()
        .withMaxSkew(1)
        .withTopologyKey(Labels.ZONE)
        .withWhenUnsatisfiable("ScheduleAnyway")
        .withNewLabelSelector()
        .withMatchLabels(labels)
        .endLabelSelector()
        .endTopologySpreadConstraint()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .endSecurityContext()
        .addToContainers(
            new ContainerBuilder()
                .withName("router")
                .withImage(router.getImage())
                .withResources(router.getResources())
                .addNewPort()
                .withName("http")
                .withContainerPort(RouterNames.PROXY_PORT)
                .endPort()
                .addNewPort()
                .withName("management")
                .withContainerPort(RouterNames.MANAGEMENT_PORT)
                .endPort()
                .withEnv(
                    new EnvVar(
                        "UNITCELL_ROUTING_TABLE_CONFIGMAP",
                        topology.getMetadata().getNamespace() + "/" + TableNames.configMap(name),
                        null),
                    new EnvVar(
                        "UNITCELL_ROUTER_PORT", String.valueOf(RouterNames.PROXY_PORT), null),
                    new EnvVar(
                        "QUARKUS_HTTP_PORT", String.valueOf(RouterNames.MANAGEMENT_PORT), null),
                    // Netty's per-access buffer checks: 6-8 % of the proxy loop
                    // (docs/benchmarks.md)
                    new EnvVar("JAVA_TOOL_OPTIONS", RouterNames.JVM_OPTIONS, null))
                .addNewEnvFrom()
                .withNewSecretRef()
                .withName(RouterNames.secret(name))
                .withOptional(true)
                .endSecretRef()
                .endEnvFrom()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/q/health/ready")
                .withPort(new IntOrString("management"))
                .endHttpGet()
                .withPeriodSeconds(2)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/q/health/live")
                .withPort(new IntOrString("management"))
                .endHttpGet()
                .withPeriodSeconds(10)
                .withFailureThreshold(6)
                .endLivenessProbe()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .endSecurityContext()
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
