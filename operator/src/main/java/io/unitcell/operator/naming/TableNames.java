package io.unitcell.operator.naming;

/** Name and key of a topology's routing-table ConfigMap, what routers and cells read. */
public final class TableNames {
  private TableNames() {}

  /** Key of the routing table (JSON) in its ConfigMap; also the file name cells read. */
  public static final String KEY = "routing-table.json";

  /** The ConfigMap holding a topology's routing table. */
  public static String configMap(String topology) {
    return topology + "-routing-table";
  }
}
