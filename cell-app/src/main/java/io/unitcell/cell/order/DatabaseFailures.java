package io.unitcell.cell.order;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.function.Predicate;
import org.hibernate.exception.JDBCConnectionException;

/** Which failures mean "the database (vtgate, a shard) is unreachable or too slow". */
public final class DatabaseFailures {

  private DatabaseFailures() {}

  /** Whether {@code e} or one of its causes says the database could not be reached in time. */
  public static boolean unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLNonTransientConnectionException
          || t instanceof SQLTransientException
          || t instanceof JDBCConnectionException
          // Connector/J's lost-connection exceptions (com.mysql.cj...CommunicationsException)
          || t.getClass().getName().endsWith("CommunicationsException")
          || (t instanceof SQLException sql && "08S01".equals(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Retry only these: the database could not be reached (the operation either did not happen or is
   * idempotent). Never a time-out of our own budget, never a business refusal.
   */
  public static final class Retryable implements Predicate<Throwable> {
    @Override
    public boolean test(Throwable e) {
      return unavailable(e);
    }
  }
}
