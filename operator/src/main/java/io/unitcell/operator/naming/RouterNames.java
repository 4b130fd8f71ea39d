package io.unitcell.operator.naming;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.unitcell.operator.crds.v1alpha1.Topology;
import java.util.Map;

/** Names, labels and ports of a topology's router objects. */
public final class RouterNames {
  private RouterNames() {}

  /** Port of the proxy (users' traffic). */
  public static final int PROXY_PORT = 8080;

  /** Port of health, metrics and the admin API. */
  public static final int MANAGEMENT_PORT = 9090;

  /**
   * The router's JVM flags, given as {@code JAVA_TOOL_OPTIONS}: Netty's reference-count and bounds
   * checks on every buffer access off (the router's own code never touches a released buffer; its
   * tests run with the checks on), as in the local runtime and the router benchmark.
   */
  public static final String JVM_OPTIONS =
      "-Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false";

  /** Deployment, Service, ServiceAccount, Role and RoleBinding all carry this name. */
  public static String name(Topology topology) {
    return topology.getMetadata().getName() + "-router";
  }

  /**
   * The optional Secret whose keys routers and cells get as environment variables (e.g.
   * UNITCELL_ROUTER_SECRET, UNITCELL_ROUTER_JWT_HS256_SECRET); the operator never reads it.
   */
  public static String secret(String topology) {
    return topology + "-secrets";
  }

  public static ObjectMeta metadata(Topology topology) {
    return new ObjectMetaBuilder()
        .withName(name(topology))
        .withNamespace(topology.getMetadata().getNamespace())
        .withLabels(podLabels(topology))
        .build();
  }

  public static Map<String, String> podLabels(Topology topology) {
    return Map.of(
        Labels.NAME,
        "unitcell-router",
        Labels.MANAGED_BY,
        Labels.OPERATOR,
        Labels.TOPOLOGY,
        topology.getMetadata().getName());
  }
}
