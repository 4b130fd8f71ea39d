package io.unitcell.testbed.vitess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GtidCountTest {

  @Test
  void countsEveryIntervalOfEverySource() {
    assertThat(VitessTestbed.gtidCount("MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"))
        .isEqualTo(5);
    assertThat(
            VitessTestbed.gtidCount(
                "MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7:9-10,"
                    + "4c0d5b5a-71ca-11e1-9e33-c80aa9429562:1-3"))
        .isEqualTo(5 + 1 + 2 + 3);
    assertThat(VitessTestbed.gtidCount("MySQL56/")).isZero();
  }

  @Test
  void readsTheExecutedPositionOfAFullStatus() {
    String replica =
        """
        {
          "server_id": 2,
          "replication_status": {
            "position": "MySQL56/aaaaaaaa-71ca-11e1-9e33-c80aa9429562:1-40",
            "relay_log_position": "MySQL56/aaaaaaaa-71ca-11e1-9e33-c80aa9429562:1-41"
          },
          "primary_status": {
            "position": "MySQL56/aaaaaaaa-71ca-11e1-9e33-c80aa9429562:1-40,bbbbbbbb-71ca-11e1-9e33-c80aa9429562:1-2",
            "file_position": "FilePos/vt-0000000201-bin.000001:1234"
          }
        }
        """;
    assertThat(VitessTestbed.executedTransactions(replica)).isEqualTo(42);
    String replicationOnly =
        "{\"replication_status\": {\"position\":"
            + " \"MySQL56/aaaaaaaa-71ca-11e1-9e33-c80aa9429562:1-7\"}}";
    assertThat(VitessTestbed.executedTransactions(replicationOnly)).isEqualTo(7);
  }
}
