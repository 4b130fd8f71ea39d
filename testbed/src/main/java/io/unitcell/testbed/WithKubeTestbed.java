package io.unitcell.testbed;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a {@link KubeTestbed} once for the test class and injects it (or its {@code
 * KubernetesClient}) into test and lifecycle methods. It fails the class, never skips it, when the
 * testbed cannot start.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KubeTestbedExtension.class)
public @interface WithKubeTestbed {
  /** 1: etcd + kube-apiserver; 2: plus controller-manager, scheduler and KWOK fake nodes. */
  int tier() default 1;

  /** Tier 2: the zones, each with {@link #nodesPerZone} fake nodes. */
  String[] zones() default {"zone-a", "zone-b"};

  int nodesPerZone() default 2;
}
