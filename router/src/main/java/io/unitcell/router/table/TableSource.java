package io.unitcell.router.table;

/** Where routing tables come from. Every table read is handed to {@link Tables#offer}. */
public interface TableSource extends AutoCloseable {

  /** Reads the table once now (blocking) and starts following changes. */
  void start(Tables tables);

  /** Reads the table now (blocking; called off the event loops). */
  void readNow(Tables tables);

  /** For logs and the admin API, e.g. {@code file /etc/unitcell/routing-table.json}. */
  String describe();

  @Override
  void close();
}
