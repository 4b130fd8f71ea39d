package io.unitcell.testbed.vitess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.unitcell.infra.vitess.VitessCluster;
import io.unitcell.infra.vitess.VitessTablet;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Self-test of {@link VitessTestbed}: vindex placement, a transaction, a zone failover. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VitessTestbedIT {

  static final int USERS = 1000;
  static final List<String> USER_IDS =
      IntStream.range(0, USERS).mapToObj(i -> String.format("user-%04d", i)).toList();

  static final String INSERT =
      "INSERT INTO orders (order_id, user_id, amount_cents) VALUES (?, ?, ?)";
  static final String PAY =
      "UPDATE orders SET amount_cents = 900, status = 'paid' WHERE order_id = ? AND user_id = ?";
  static final String ORDERS_OF =
      "SELECT order_id, amount_cents, status FROM orders WHERE user_id = ? ORDER BY order_id";

  static VitessTestbed vitess;
  static long started;

  @BeforeAll
  static void start() {
    started = System.nanoTime();
    vitess = VitessTestbed.start();
  }

  @AfterAll
  static void stop() {
    if (vitess != null) {
      vitess.close();
    }
    System.out.printf("vitess: self-test took %.1fs%n", (System.nanoTime() - started) / 1e9);
  }

  @Test
  @Order(1)
  void everyRowLandsOnTheShardItsVindexNames() throws SQLException {
    try (Connection c = DriverManager.getConnection(vitess.jdbcUrl());
        PreparedStatement insert = c.prepareStatement(INSERT)) {
      for (int i = 0; i < USERS; i++) {
        insert.setLong(1, i + 1);
        insert.setString(2, USER_IDS.get(i));
        insert.setLong(3, 100L * i);
        insert.executeUpdate();
      }
    }

    Map<String, Set<String>> stored = new HashMap<>();
    for (String shard : VitessTestbed.SHARDS) {
      stored.put(shard, userIdsOn(shard));
    }
    assertThat(stored.values()).allSatisfy(users -> assertThat(users).isNotEmpty());
    assertThat(stored.get("-80").size() + stored.get("80-").size()).isEqualTo(USERS);
    Set<String> all = new HashSet<>(stored.get("-80"));
    all.addAll(stored.get("80-"));
    assertThat(all).containsExactlyInAnyOrderElementsOf(USER_IDS);

    Map<String, String> vtgateSays = vindexShards(USER_IDS);
    stored.forEach(
        (shard, users) ->
            assertThat(users)
                .allSatisfy(
                    user -> {
                      assertThat(XxHash64.shardOf(user)).as("xxhash of %s", user).isEqualTo(shard);
                      assertThat(vtgateSays.get(user)).as("vindex of %s", user).isEqualTo(shard);
                    }));

    for (String user : USER_IDS.subList(0, 50)) {
      assertThat(count(vitess.jdbcUrl(), "SELECT COUNT(*) FROM orders WHERE user_id = ?", user))
          .as("routed read of %s", user)
          .isEqualTo(1);
    }
  }

  @Test
  @Order(2)
  void aTransactionInsideOneUserCommitsAndARolledBackOneLeavesNothing() throws SQLException {
    String user = "txn-user";
    try (Connection c = DriverManager.getConnection(vitess.jdbcUrl())) {
      c.setAutoCommit(false);
      insertOrder(c, 1_000_001, user, 500);
      insertOrder(c, 1_000_002, user, 700);
      try (PreparedStatement update = c.prepareStatement(PAY)) {
        update.setLong(1, 1_000_001);
        update.setString(2, user);
        assertThat(update.executeUpdate()).isEqualTo(1);
      }
      c.commit();

      insertOrder(c, 1_000_003, user, 1);
      c.rollback();
    }

    String shard = XxHash64.shardOf(user);
    for (String url : List.of(vitess.jdbcUrl(), vitess.shardJdbcUrl(shard))) {
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement query = c.prepareStatement(ORDERS_OF)) {
        query.setString(1, user);
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = query.executeQuery()) {
          while (rs.next()) {
            rows.add(rs.getLong(1) + ":" + rs.getLong(2) + ":" + rs.getString(3));
          }
        }
        assertThat(rows).as(url).containsExactly("1000001:900:paid", "1000002:700:new");
      }
    }
  }

  @Test
  @Order(3)
  void afterThePrimaryDiesAndZone2TakesOverNoCommittedRowIsLostAndWritesWork() throws SQLException {
    String shard = "-80";
    long total = count(vitess.jdbcUrl(), "SELECT COUNT(*) FROM orders");
    long onShard = count(vitess.shardJdbcUrl(shard), "SELECT COUNT(*) FROM orders");
    assertThat(total).isEqualTo(USERS + 2);
    // replication is asynchronous (durability "none"): a kill right after a commit may lose it
    String replica = vitess.jdbcUrl(vitess.keyspace() + ":" + shard + "@replica");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count(replica, "SELECT COUNT(*) FROM orders") == onShard);
    // what a switchover compares: the replica in zone2 has every transaction of its primary
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<VitessCluster.Position> positions = vitess.replicationPositions(shard);
              assertThat(positions).hasSize(2).allMatch(VitessCluster.Position::reachable);
              VitessCluster.Position primary =
                  positions.stream().filter(VitessCluster.Position::primary).findFirst().get();
              VitessCluster.Position follower =
                  positions.stream().filter(p -> !p.primary()).findFirst().get();
              assertThat(primary.tablet().zone()).isEqualTo(VitessTestbed.PRIMARY_ZONE);
              assertThat(follower.tablet().zone()).isEqualTo(VitessTestbed.REPLICA_ZONE);
              assertThat(primary.transactions()).isPositive();
              assertThat(follower.transactions()).isEqualTo(primary.transactions());
              assertThat(follower.executed().containsAll(primary.executed())).isTrue();
            });

    VitessTablet old = vitess.killPrimary(shard);
    assertThat(old.zone()).isEqualTo(VitessTestbed.PRIMARY_ZONE);
    assertThat(vitess.isRunning(old)).isFalse();
    assertThat(vitess.replicationPositions(shard))
        .filteredOn(p -> p.tablet().equals(old))
        .singleElement()
        .matches(p -> !p.reachable(), "the dead primary is unreachable");
    VitessTablet promoted = vitess.reparent(shard, VitessTestbed.REPLICA_ZONE);

    assertThat(vitess.primaryOf(shard)).isEqualTo(promoted);
    assertThat(promoted.zone()).isEqualTo(VitessTestbed.REPLICA_ZONE);
    assertThat(count(vitess.shardJdbcUrl(shard), "SELECT COUNT(*) FROM orders")).isEqualTo(onShard);
    assertThat(count(vitess.jdbcUrl(), "SELECT COUNT(*) FROM orders")).isEqualTo(total);

    List<String> usersOnShard =
        USER_IDS.stream().filter(u -> XxHash64.shardOf(u).equals(shard)).limit(20).toList();
    try (Connection c = DriverManager.getConnection(vitess.jdbcUrl())) {
      long orderId = 2_000_000;
      for (String user : usersOnShard) {
        insertOrder(c, ++orderId, user, 42);
      }
    }
    assertThat(count(vitess.shardJdbcUrl(shard), "SELECT COUNT(*) FROM orders"))
        .isEqualTo(onShard + usersOnShard.size());
    assertThat(
            count(
                vitess.jdbcUrl(),
                "SELECT COUNT(*) FROM orders WHERE user_id = ? AND amount_cents = 42",
                usersOnShard.get(0)))
        .isEqualTo(1);
  }

  static void insertOrder(Connection c, long orderId, String user, long amount)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setLong(1, orderId);
      insert.setString(2, user);
      insert.setLong(3, amount);
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }
  }

  static Set<String> userIdsOn(String shard) throws SQLException {
    Set<String> users = new HashSet<>();
    try (Connection c = DriverManager.getConnection(vitess.shardJdbcUrl(shard));
        ResultSet rs = c.createStatement().executeQuery("SELECT user_id FROM orders")) {
      while (rs.next()) {
        assertThat(users.add(rs.getString(1))).as("duplicate %s", rs.getString(1)).isTrue();
      }
    }
    return users;
  }

  /** Asks vtgate's vindex function which shard each id maps to. */
  static Map<String, String> vindexShards(List<String> ids) throws SQLException {
    String placeholders = ids.stream().map(id -> "?").collect(Collectors.joining(", "));
    Map<String, String> shards = new HashMap<>();
    try (Connection c = DriverManager.getConnection(vitess.jdbcUrl());
        PreparedStatement query =
            c.prepareStatement(
                "SELECT id, shard FROM user_hash WHERE id IN (" + placeholders + ")")) {
      for (int i = 0; i < ids.size(); i++) {
        query.setString(i + 1, ids.get(i));
      }
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          shards.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    assertThat(shards).hasSize(ids.size());
    return shards;
  }

  static long count(String url, String sql, String... params) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement query = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        query.setString(i + 1, params[i]);
      }
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
