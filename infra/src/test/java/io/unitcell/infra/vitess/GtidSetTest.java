package io.unitcell.infra.vitess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GtidSetTest {

  static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  static final String B = "4c0d5b5a-71ca-11e1-9e33-c80aa9429562";

  @Test
  void countsEveryIntervalOfEverySource() {
    assertThat(GtidSet.parse("MySQL56/" + A + ":1-5").size()).isEqualTo(5);
    assertThat(GtidSet.parse("MySQL56/" + A + ":1-5:7:9-10," + B + ":1-3").size())
        .isEqualTo(5 + 1 + 2 + 3);
    assertThat(GtidSet.parse("MySQL56/").size()).isZero();
    assertThat(GtidSet.parse("MySQL56/").isEmpty()).isTrue();
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
    assertThat(VtctldAnswers.executed(replica).size()).isEqualTo(42);
    assertThat(VtctldAnswers.executed(replica))
        .hasToString(
            "aaaaaaaa-71ca-11e1-9e33-c80aa9429562:1-40,bbbbbbbb-71ca-11e1-9e33-c80aa9429562:1-2");
    String replicationOnly =
        "{\"replication_status\": {\"position\":"
            + " \"MySQL56/aaaaaaaa-71ca-11e1-9e33-c80aa9429562:1-7\"}}";
    assertThat(VtctldAnswers.executed(replicationOnly).size()).isEqualTo(7);
  }

  @Test
  void aReplicaIsCaughtUpWhenItsSetContainsThePrimarysNotWhenItIsAsLarge() {
    GtidSet primary = GtidSet.parse(A + ":1-10");
    GtidSet sameSizeOtherHistory = GtidSet.parse(A + ":1-5," + B + ":1-5");
    GtidSet ahead = GtidSet.parse(A + ":1-12," + B + ":1");

    assertThat(sameSizeOtherHistory.size()).isEqualTo(primary.size());
    assertThat(sameSizeOtherHistory.containsAll(primary)).isFalse();
    assertThat(ahead.containsAll(primary)).isTrue();
    assertThat(primary.containsAll(GtidSet.empty())).isTrue();
  }

  @Test
  void whatANewPrimaryLacksIsTheLossWindow() {
    GtidSet old = GtidSet.parse(A + ":1-10:12");
    GtidSet promoted = GtidSet.parse(A + ":1-7");
    assertThat(old.minus(promoted)).hasToString(A + ":8-10:12");
    assertThat(old.minus(promoted).size()).isEqualTo(4);
    assertThat(promoted.minus(old).isEmpty()).isTrue();
  }

  @Test
  void intervalsAreMergedAndSortedSoEqualSetsPrintAlike() {
    GtidSet split = GtidSet.parse(B + ":4-6:1-3," + A + ":2:1");
    assertThat(split).hasToString(A + ":1-2," + B + ":1-6");
    assertThat(split).isEqualTo(GtidSet.parse(A + ":1-2," + B + ":1-6"));
    assertThat(GtidSet.parse(A + ":1-3").union(GtidSet.parse(A + ":4-5," + B + ":9")))
        .hasToString(A + ":1-5," + B + ":9");
  }

  @Test
  void refusesWhatIsNotAGtidSet() {
    assertThatThrownBy(() -> GtidSet.parse(A)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GtidSet.parse(A + ":5-3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5-3");
    assertThatThrownBy(() -> GtidSet.parse(A + ":x")).isInstanceOf(IllegalArgumentException.class);
  }
}
