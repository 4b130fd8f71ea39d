package io.unitcell.testbed;

import io.unitcell.infra.binaries.BuildEnv;
import java.nio.file.Path;

/**
 * Where {@code testbed/build.sh} put the Kubernetes testbed's binaries (kube-apiserver,
 * kube-controller-manager, kube-scheduler, kubectl, KWOK, Helm, and the directory kube-api-test
 * reads): from {@code ~/.cache/unitcell/testbed.env}, which the script writes, or the environment.
 * What the platform itself runs (etcd, Vitess, MySQL) is {@link
 * io.unitcell.infra.binaries.Binaries}.
 */
public final class TestbedBinaries {

  private final BuildEnv env;

  private TestbedBinaries(BuildEnv env) {
    this.env = env;
  }

  /** The binaries of this machine. */
  public static TestbedBinaries locate() {
    return new TestbedBinaries(
        BuildEnv.read("testbed.env", "run testbed/build.sh (it builds what is missing)"));
  }

  /** The Kubernetes version the testbed built, e.g. {@code 1.34.4}. */
  public String kubernetesVersion() {
    return env.value("UNITCELL_K8S_VERSION");
  }

  /** kube-apiserver, kube-controller-manager, kube-scheduler or kubectl. */
  public Path kubernetes(String command) {
    return env.binary("UNITCELL_KUBERNETES_BIN", command);
  }

  public Path kwok() {
    return env.binary("UNITCELL_KWOK_BIN", "kwok");
  }

  public Path helm() {
    return env.binary("UNITCELL_HELM_BIN", "helm");
  }

  /** The directory io.fabric8:kube-api-test reads its binaries from. */
  public Path kubeApiTestDir() {
    Path dir = Path.of(env.value("KUBE_API_TEST_DIR"));
    env.requireExecutable(
        dir.resolve("k8s/" + kubernetesVersion() + "-linux-amd64/kube-apiserver"));
    return dir;
  }
}
