package io.unitcell.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where {@code testbed/build.sh} put the binaries: read from the environment ({@code UNITCELL_*}),
 * else from {@code ~/.cache/unitcell/testbed.env} that the script writes. A missing binary fails
 * loudly with the command that builds it; a test never skips for want of one.
 */
public final class TestbedBinaries {

  private static final String BUILD_HINT = "run testbed/build.sh (it builds what is missing)";

  private final Map<String, String> env;

  private TestbedBinaries(Map<String, String> env) {
    this.env = env;
  }

  /** The binaries of this machine. */
  public static TestbedBinaries locate() {
    Map<String, String> values = new HashMap<>();
    String cache = System.getenv("UNITCELL_CACHE");
    Path envFile =
        (cache != null
                ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache/unitcell"))
            .resolve("testbed.env");
    if (Files.isRegularFile(envFile)) {
      try {
        for (String line : Files.readAllLines(envFile)) {
          int eq = line.indexOf('=');
          if (eq > 0 && !line.startsWith("#")) {
            values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + envFile, e);
      }
    }
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("UNITCELL_") || k.equals("KUBE_API_TEST_DIR")) {
                values.put(k, v);
              }
            });
    if (values.isEmpty()) {
      throw new IllegalStateException("testbed is not built: no " + envFile + "; " + BUILD_HINT);
    }
    return new TestbedBinaries(values);
  }

  /** The Kubernetes version the testbed built, e.g. {@code 1.34.4}. */
  public String kubernetesVersion() {
    return value("UNITCELL_K8S_VERSION");
  }

  /** kube-apiserver, kube-controller-manager, kube-scheduler or kubectl. */
  public Path kubernetes(String command) {
    return binary("UNITCELL_KUBERNETES_BIN", command);
  }

  public Path etcd() {
    return binary("UNITCELL_ETCD_BIN", "etcd");
  }

  public Path kwok() {
    return binary("UNITCELL_KWOK_BIN", "kwok");
  }

  public Path helm() {
    return binary("UNITCELL_HELM_BIN", "helm");
  }

  /** vtgate, vttablet, vtctld, vtctldclient, mysqlctl, mysqlctld or vtorc. */
  public Path vitess(String command) {
    return binary("UNITCELL_VITESS_BIN", command);
  }

  /** The MySQL 8.0 installation ({@code bin/mysqld}, {@code share/}), for {@code VT_MYSQL_ROOT}. */
  public Path mysqlRoot() {
    Path root = Path.of(value("UNITCELL_MYSQL_ROOT"));
    requireExecutable(root.resolve("bin/mysqld"));
    return root;
  }

  /** The directory io.fabric8:kube-api-test reads its binaries from. */
  public Path kubeApiTestDir() {
    Path dir = Path.of(value("KUBE_API_TEST_DIR"));
    requireExecutable(dir.resolve("k8s/" + kubernetesVersion() + "-linux-amd64/kube-apiserver"));
    return dir;
  }

  private Path binary(String dirVariable, String name) {
    return requireExecutable(Path.of(value(dirVariable), name));
  }

  private String value(String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("testbed setting " + name + " is missing; " + BUILD_HINT);
    }
    return value;
  }

  private static Path requireExecutable(Path path) {
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("testbed binary " + path + " is missing; " + BUILD_HINT);
    }
    return path;
  }
}
