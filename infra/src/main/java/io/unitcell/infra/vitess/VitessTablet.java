package io.unitcell.infra.vitess;

/**
 * One vttablet and the mysqld it manages, as started by {@link VitessCluster}. Which tablet is the
 * primary of its shard changes with reparents; ask {@link VitessCluster#primaryOf(String, String)}.
 *
 * @param alias Vitess tablet alias, e.g. {@code zone1-0000000101}
 * @param zone the Vitess cell the tablet lives in
 * @param shard the shard it serves, e.g. {@code -80}
 * @param uid tablet UID, unique in the cluster
 * @param webPort vttablet HTTP port ({@code /debug/status})
 * @param grpcPort vttablet gRPC port
 * @param mysqlPort mysqld TCP port (127.0.0.1)
 * @param keyspace the keyspace it serves
 */
public record VitessTablet(
    String alias,
    String zone,
    String shard,
    int uid,
    int webPort,
    int grpcPort,
    int mysqlPort,
    String keyspace) {

  static String alias(String zone, int uid) {
    return String.format("%s-%010d", zone, uid);
  }

  /** The vttablet status page, for a human looking at a failed test. */
  public String statusUrl() {
    return "http://127.0.0.1:" + webPort + "/debug/status";
  }
}
