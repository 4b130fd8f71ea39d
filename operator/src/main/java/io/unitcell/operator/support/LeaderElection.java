package io.unitcell.operator.support;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One active operator at a time: replicas compete for the Lease {@code unitcell-operator} in the
 * operator's namespace; the others stand by and take over when the leader stops renewing it. Active
 * in the prod profile (the operator SDK's default); the Lease namespace is the pod's (downward
 * API), else the client's namespace.
 */
@Singleton
public class LeaderElection {

  public static final String LEASE = "unitcell-operator";

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(name = "unitcell.operator.namespace") Optional<String> namespace) {
    var builder = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE);
    namespace.ifPresent(builder::withLeaseNamespace);
    return builder.build();
  }
}
