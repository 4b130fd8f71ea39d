package io.unitcell.bench.orderpath;

import io.unitcell.bench.orderpath.ClosedLoop.Failure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Calendar;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread of the raw JDBC side: its own Connector/J connection to vtgate, and per order one
 * transaction with the two inserts {@code OrderService.insert()} makes through Hibernate (the
 * idempotency key, then the order; same columns, same values), then commit. No pool, no ORM, no
 * HTTP: the floor under the app's order creation on this vtgate.
 */
final class JdbcOrders implements ClosedLoop.Worker {

  /**
   * Order ids of this side: 2^62 + n. The app's ids are (ms since 2026-01-01) << 22 | slot | seq,
   * below 2^62 until the year 2060, so the two never collide (and the users differ anyway).
   */
  static final long ID_BASE = 1L << 62;

  static final String INSERT_KEY =
      "insert into idempotency_keys (created_at, order_id, request_hash, idempotency_key, user_id)"
          + " values (?, ?, ?, ?, ?)";
  static final String INSERT_ORDER =
      "insert into orders (created_at, currency, lines_json, status, total_cents, updated_at,"
          + " version, order_id, user_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

  private final String url;
  private final String userId;
  private final String keyPrefix;
  private final AtomicLong ids;
  private final Calendar utc = (Calendar) UTC.clone();
  private Connection connection;
  private PreparedStatement insertKey;
  private PreparedStatement insertOrder;

  JdbcOrders(String url, String userId, String keyPrefix, AtomicLong ids) throws SQLException {
    this.url = url;
    this.userId = userId;
    this.keyPrefix = keyPrefix;
    this.ids = ids;
    connect();
  }

  private void connect() throws SQLException {
    connection = DriverManager.getConnection(url);
    connection.setAutoCommit(false);
    insertKey = connection.prepareStatement(INSERT_KEY);
    insertOrder = connection.prepareStatement(INSERT_ORDER);
  }

  @Override
  public Failure order(long seq) throws SQLException {
    if (connection == null) {
      connect();
    }
    long id = ID_BASE + ids.incrementAndGet();
    Timestamp now = Timestamp.from(Instant.now());
    try {
      insertKey.setTimestamp(1, now, utc);
      insertKey.setLong(2, id);
      insertKey.setString(3, OrderPathBenchmark.REQUEST_HASH);
      insertKey.setString(4, keyPrefix + seq);
      insertKey.setString(5, userId);
      insertKey.executeUpdate();
      insertOrder.setTimestamp(1, now, utc);
      insertOrder.setString(2, "CNY");
      insertOrder.setString(3, OrderPathBenchmark.LINES_JSON);
      insertOrder.setString(4, "CREATED");
      insertOrder.setLong(5, OrderPathBenchmark.TOTAL_CENTS);
      insertOrder.setTimestamp(6, now, utc);
      insertOrder.setInt(7, 0);
      insertOrder.setLong(8, id);
      insertOrder.setString(9, userId);
      insertOrder.executeUpdate();
      connection.commit();
      return null;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailed) {
        close();
      }
      if (connection != null && !connection.isValid(1)) {
        close();
      }
      return new Failure("SQLState " + e.getSQLState(), e.getMessage());
    }
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // already broken
      }
      connection = null;
    }
  }
}
