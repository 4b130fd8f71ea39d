package io.unitcell.infra.vitess;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the cluster reads out of {@code vtctldclient}'s JSON answers. */
final class VtctldAnswers {

  private static final Pattern OWN_POSITION =
      Pattern.compile("\"primary_status\"\\s*:\\s*\\{[^}]*?\"position\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern REPLICATION_POSITION =
      Pattern.compile("\"replication_status\"\\s*:\\s*\\{[^}]*?\"position\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern PRIMARY_ALIAS =
      Pattern.compile(
          "\"primary_alias\":\\s*\\{\\s*\"cell\":\\s*\"([^\"]+)\",\\s*\"uid\":\\s*(\\d+)");

  private VtctldAnswers() {}

  /**
   * The executed GTID set from a {@code GetFullStatus} answer: the server's own position ({@code
   * primary_status}, kept by every tablet with binary logs), else the replication one.
   */
  static GtidSet executed(String fullStatusJson) {
    Matcher own = OWN_POSITION.matcher(fullStatusJson);
    if (own.find()) {
      return GtidSet.parse(own.group(1));
    }
    Matcher replicated = REPLICATION_POSITION.matcher(fullStatusJson);
    if (replicated.find()) {
      return GtidSet.parse(replicated.group(1));
    }
    throw new IllegalStateException("no position in: " + fullStatusJson);
  }

  /** The primary's tablet alias from a {@code GetShard} answer; fails when it names none. */
  static String primaryAlias(String shardJson, String keyspaceShard) {
    Matcher m = PRIMARY_ALIAS.matcher(shardJson);
    if (!m.find()) {
      throw new IllegalStateException("shard " + keyspaceShard + " has no primary:\n" + shardJson);
    }
    return VitessTablet.alias(m.group(1), Integer.parseInt(m.group(2)));
  }
}
