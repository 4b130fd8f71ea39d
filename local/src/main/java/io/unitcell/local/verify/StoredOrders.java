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

/** What the cells' keyspaces hold, read through vtgate (every shard of every keyspace). */
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
   */
  record Stored(
      Map<String, List<String>> cellsOfOrder,
      Map<String, Set<String>> cellsOfUser,
      Map<String, Map<String, Long>> flashUnits) {}

  private StoredOrders() {}

  /** Every cell's orders (and history), users, and units of flash-sale orders, through vtgate. */
  /**
   * @param keyspaces cell → its keyspace
   * @param vtgateUrl a Connector/J URL of vtgate with {@code {keyspace}} where the database goes
   */
  static Stored scan(Map<String, String> keyspaces, String vtgateUrl) throws SQLException {
    Map<String, List<String>> cellsOfOrder = new HashMap<>();
    Map<String, Set<String>> cellsOfUser = new HashMap<>();
    Map<String, Map<String, Long>> flashUnits = new TreeMap<>();
    for (Map.Entry<String, String> cell : keyspaces.entrySet()) {
      try (Connection db =
              DriverManager.getConnection(vtgateUrl.replace("{keyspace}", cell.getValue()));
          Statement query = db.createStatement()) {
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
              String id = rs.getString(1);
              cellsOfOrder.computeIfAbsent(id, k -> new ArrayList<>()).add(cell.getKey());
              cellsOfUser.computeIfAbsent(rs.getString(2), k -> new HashSet<>()).add(cell.getKey());
              if (flashIds.contains(id)) {
                addUnits(flashUnits, cell.getKey(), id, rs.getString(3));
              }
            }
          }
        }
      }
    }
    return new Stored(cellsOfOrder, cellsOfUser, flashUnits);
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
