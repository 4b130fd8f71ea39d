package io.unitcell.local.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the cells' keyspaces hold, read through vtgate shard by shard: each keyspace's shards come
 * from {@code SHOW VITESS_SHARDS} and each is read with vtgate's {@code keyspace:shard} target, so
 * a row stored on two shards is seen twice and a user's rows on the wrong shard are seen at all.
 */
final class StoredOrders {

  /** cell-app stores a flash-sale order with the idempotency row {@code flash:<order id>}. */
  private static final String FLASH_KEY_PREFIX = "flash:";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the keyspaces hold.
   *
   * @param cellsOfOrder order id → the cells storing it (orders or history)
   * @param cellsOfUser user → the cells storing orders of the user
   * @param flashUnits SKU → cell → units of the stored flash-sale orders
   * @param rowsPerShard {@code <cell> <keyspace>/<shard>} → order rows (orders and history) on it
   * @param shardsOfUser user → the shards ({@code <keyspace>/<shard>}) storing orders of the user
   */
  record Stored(
      Map<String, List<String>> cellsOfOrder,
      Map<String, Set<String>> cellsOfUser,
      Map<String, Map<String, Long>> flashUnits,
      Map<String, Long> rowsPerShard,
      Map<String, Set<String>> shardsOfUser) {

    /** Users with orders on more than one shard: the user_id vindex puts all of them on one. */
    long usersOnSeveralShards() {
      return shardsOfUser.values().stream().filter(s -> s.size() > 1).count();
    }
  }

  private StoredOrders() {}

  /**
   * Every cell's orders (and history), users, and units of flash-sale orders, shard by shard.
   *
   * @param keyspaces cell → its keyspace
   * @param vtgateUrl a Connector/J URL of vtgate with {@code {keyspace}} where the database goes
   */
  static Stored scan(Map<String, String> keyspaces, String vtgateUrl) throws SQLException {
    Map<String, List<String>> cellsOfOrder = new HashMap<>();
    Map<String, Set<String>> cellsOfUser = new HashMap<>();
    Map<String, Map<String, Long>> flashUnits = new TreeMap<>();
    Map<String, Long> rowsPerShard = new TreeMap<>();
    Map<String, Set<String>> shardsOfUser = new HashMap<>();
    for (Map.Entry<String, String> cell : keyspaces.entrySet()) {
      String keyspace = cell.getValue();
      try (Connection db = DriverManager.getConnection(vtgateUrl.replace("{keyspace}", keyspace));
          Statement query = db.createStatement()) {
        for (String shard : shards(query, keyspace)) {
          String where = keyspace + "/" + shard;
          long rows = 0;
          // vtgate's keyspace:shard target: the statements below read this shard only
          query.execute("USE `" + keyspace + ":" + shard + "`");
          // a flash-sale order is stored with the idempotency row flash:<order id>
          Set<String> flashIds = new HashSet<>();
          try (ResultSet rs =
              query.executeQuery(
                  "SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key LIKE '"
                      + FLASH_KEY_PREFIX
                      + "%'")) {
            while (rs.next()) {
              flashIds.add(rs.getString(1).substring(FLASH_KEY_PREFIX.length()));
            }
          }
          for (String tableName : List.of("orders", "orders_history")) {
            try (ResultSet rs =
                query.executeQuery("SELECT order_id, user_id, lines_json FROM " + tableName)) {
              while (rs.next()) {
                rows++;
                String id = rs.getString(1);
                String user = rs.getString(2);
                cellsOfOrder.computeIfAbsent(id, k -> new ArrayList<>()).add(cell.getKey());
                cellsOfUser.computeIfAbsent(user, k -> new HashSet<>()).add(cell.getKey());
                shardsOfUser.computeIfAbsent(user, k -> new HashSet<>()).add(where);
                if (flashIds.contains(id)) {
                  addUnits(flashUnits, cell.getKey(), id, rs.getString(3));
                }
              }
            }
          }
          rowsPerShard.put(cell.getKey() + " " + where, rows);
        }
      }
    }
    return new Stored(cellsOfOrder, cellsOfUser, flashUnits, rowsPerShard, shardsOfUser);
  }

  /** The shards of {@code keyspace} as vtgate serves them ({@code SHOW VITESS_SHARDS}). */
  static List<String> shards(Statement query, String keyspace) throws SQLException {
    List<String> shards = new ArrayList<>();
    try (ResultSet rs = query.executeQuery("SHOW VITESS_SHARDS")) {
      while (rs.next()) {
        String name = rs.getString(1); // <keyspace>/<shard>
        if (name.startsWith(keyspace + "/")) {
          shards.add(name.substring(keyspace.length() + 1));
        }
      }
    }
    if (shards.isEmpty()) {
      throw new SQLException("vtgate serves no shard of keyspace " + keyspace);
    }
    return shards;
  }

  private static void addUnits(
      Map<String, Map<String, Long>> flashUnits, String cell, String id, String linesJson) {
    JsonNode lines;
    try {
      lines = JSON.readTree(linesJson);
    } catch (IOException e) {
      throw new IllegalStateException("order " + id + " has unreadable lines: " + linesJson, e);
    }
    for (JsonNode line : lines) {
      flashUnits
          .computeIfAbsent(line.path("sku").asText(), s -> new TreeMap<>())
          .merge(cell, line.path("quantity").asLong(), Long::sum);
    }
  }
}
