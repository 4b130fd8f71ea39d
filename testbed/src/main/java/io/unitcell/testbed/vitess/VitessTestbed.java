package io.unitcell.testbed.vitess;

import io.unitcell.infra.process.Resources;
import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.infra.vitess.VitessTablet;
import io.unitcell.testbed.TestbedLogs;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link VitessCluster} with test defaults and shortcuts: a new run directory under {@code
 * target/testbed/} for every start, zones {@code zone1} (primaries) and {@code zone2} (replicas),
 * shards {@code -80} and {@code 80-}, keyspace {@code commerce} with table {@code orders(order_id
 * BIGINT PRIMARY KEY, user_id VARCHAR(128) COLLATE utf8mb4_bin, amount_cents, status, created_at)}
 * sharded by the {@code xxhash} vindex {@code user_hash} on {@code user_id}; the single-keyspace
 * methods act on the first keyspace. {@link #cluster()} is the cluster itself.
 */
public final class VitessTestbed implements AutoCloseable {

  public static final String PRIMARY_ZONE = "zone1";
  public static final String REPLICA_ZONE = "zone2";
  public static final List<String> ZONES = List.of(PRIMARY_ZONE, REPLICA_ZONE);
  public static final List<String> SHARDS = List.of("-80", "80-");

  private final VitessCluster cluster;
  private final String keyspace;

  private VitessTestbed(VitessCluster cluster) {
    this.cluster = cluster;
    this.keyspace = cluster.keyspaces().get(0);
  }

  /** Starts the default cluster: keyspace {@code commerce} with the {@code orders} table. */
  public static VitessTestbed start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options; every one has its test default. */
  public static final class Builder {
    private String keyspace = "commerce";
    private String schemaSql = resource("orders-schema.sql");
    private String vschemaJson = resource("orders-vschema.json");

    private Builder() {}

    /** The keyspace (instead of {@code commerce}). */
    public Builder keyspace(String keyspace) {
      this.keyspace = keyspace;
      return this;
    }

    /** DDL applied to every shard; semicolon-separated statements. */
    public Builder schema(String sql) {
      this.schemaSql = sql;
      return this;
    }

    /** The keyspace's VSchema as JSON. */
    public Builder vschema(String json) {
      this.vschemaJson = json;
      return this;
    }

    public VitessTestbed start() {
      return new VitessTestbed(
          VitessCluster.builder(TestbedLogs.newRunDirectory("vitess"))
              .zones(ZONES)
              .shards(SHARDS)
              .addKeyspace(keyspace, PRIMARY_ZONE)
              .schema(schemaSql)
              .vschema(vschemaJson)
              .start());
    }
  }

  public VitessCluster cluster() {
    return cluster;
  }

  public String keyspace() {
    return keyspace;
  }

  public Path runDirectory() {
    return cluster.runDirectory();
  }

  public int vtgatePort() {
    return cluster.vtgatePort();
  }

  /** Connector/J URL of vtgate with the keyspace as database: queries are routed by vindex. */
  public String jdbcUrl() {
    return cluster.jdbcUrl(keyspace);
  }

  /** See {@link VitessCluster#jdbcUrl(String)}. */
  public String jdbcUrl(String target) {
    return cluster.jdbcUrl(target);
  }

  /** Connector/J URL that reads and writes only {@code shard}'s primary, without routing. */
  public String shardJdbcUrl(String shard) {
    if (!SHARDS.contains(shard)) {
      throw new IllegalArgumentException("unknown shard " + shard + "; shards are " + SHARDS);
    }
    return cluster.jdbcUrl(keyspace + ":" + shard);
  }

  public void killVtgate() {
    cluster.killVtgate();
  }

  public void restartVtgate() {
    cluster.restartVtgate();
  }

  /** The tablet of the keyspace's {@code shard} in {@code zone}. */
  public VitessTablet tablet(String shard, String zone) {
    return cluster.tablet(keyspace, shard, zone);
  }

  /** The primary of the keyspace's shard in its topology record. */
  public VitessTablet primaryOf(String shard) {
    return cluster.primaryOf(keyspace, shard);
  }

  public List<VitessCluster.Position> replicationPositions(String shard) {
    return cluster.replicationPositions(keyspace, shard);
  }

  public boolean isRunning(VitessTablet tablet) {
    return cluster.isRunning(tablet);
  }

  /** SIGKILLs the mysqld and the vttablet of {@code shard}'s current primary; returns it. */
  public VitessTablet killPrimary(String shard) {
    return cluster.killPrimary(keyspace, shard);
  }

  /** Makes the tablet of the keyspace's {@code shard} in {@code toZone} the primary. */
  public VitessTablet reparent(String shard, String toZone) {
    return cluster.reparent(keyspace, shard, toZone);
  }

  @Override
  public void close() {
    cluster.close();
  }

  private static String resource(String name) {
    return Resources.text(VitessTestbed.class, "/vitess/" + name);
  }
}
