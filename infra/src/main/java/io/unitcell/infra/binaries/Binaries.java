package io.unitcell.infra.binaries;

import java.nio.file.Path;

/**
 * Where {@code infra/build.sh} put the binaries the platform runs: etcd, Vitess and MySQL. Read
 * from {@code ~/.cache/unitcell/infra.env}, which the script writes, or from the environment
 * ({@code UNITCELL_ETCD_BIN}, {@code UNITCELL_VITESS_BIN}, {@code UNITCELL_MYSQL_ROOT}).
 */
public final class Binaries {

  private final BuildEnv env;

  private Binaries(BuildEnv env) {
    this.env = env;
  }

  /** The binaries of this machine. */
  public static Binaries locate() {
    return new Binaries(
        BuildEnv.read("infra.env", "run infra/build.sh (it builds what is missing)"));
  }

  public Path etcd() {
    return env.binary("UNITCELL_ETCD_BIN", "etcd");
  }

  /** vtgate, vttablet, vtctld, vtctldclient, mysqlctl, mysqlctld or vtorc. */
  public Path vitess(String command) {
    return env.binary("UNITCELL_VITESS_BIN", command);
  }

  /** The MySQL 8.0 installation ({@code bin/mysqld}, {@code share/}), for {@code VT_MYSQL_ROOT}. */
  public Path mysqlRoot() {
    Path root = Path.of(env.value("UNITCELL_MYSQL_ROOT"));
    env.requireExecutable(root.resolve("bin/mysqld"));
    return root;
  }
}
