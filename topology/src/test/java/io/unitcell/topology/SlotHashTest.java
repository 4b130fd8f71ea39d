package io.unitcell.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unitcell.topology.SlotHash.InvalidUserIdException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

class SlotHashTest {

  record Golden(String userId, long hash, int slot1024, int slot16384, int slot7) {}

  static List<Golden> golden() throws IOException {
    try (InputStream in = SlotHashTest.class.getResourceAsStream("/slot-hash-golden.tsv")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.startsWith("#"))
          .map(line -> line.split("\t"))
          .map(
              f ->
                  new Golden(
                      f[0],
                      Long.parseLong(f[1]),
                      Integer.parseInt(f[2]),
                      Integer.parseInt(f[3]),
                      Integer.parseInt(f[4])))
          .toList();
    }
  }

  @Test
  void matchesTheFrozenGoldenValues() throws IOException {
    List<Golden> rows = golden();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(35);
    for (Golden row : rows) {
      assertThat(SlotHash.hash(row.userId())).as("hash of %s", row.userId()).isEqualTo(row.hash());
      assertThat(SlotHash.slotOf(row.userId(), 1024)).as(row.userId()).isEqualTo(row.slot1024());
      assertThat(SlotHash.slotOf(row.userId(), 16384)).as(row.userId()).isEqualTo(row.slot16384());
      assertThat(SlotHash.slotOf(row.userId(), 7)).as(row.userId()).isEqualTo(row.slot7());
    }
  }

  @Test
  void isTheStandardMurmur3OfUtf8() {
    // published MurmurHash3_x86_32 test vectors, seed 0
    assertThat(SlotHash.hash("hello")).isEqualTo(0x248bfa47L);
    assertThat(SlotHash.hash("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2e4ff723L);
  }

  @Test
  void rejectsInvalidUserIdsWithAReason() {
    assertThatThrownBy(() -> SlotHash.slotOf(null, 1024))
        .isInstanceOf(InvalidUserIdException.class)
        .hasMessage("user id is missing");
    assertThatThrownBy(() -> SlotHash.slotOf("", 1024)).hasMessage("user id is empty");
    assertThatThrownBy(() -> SlotHash.slotOf("x".repeat(129), 1024))
        .hasMessage("user id is longer than 128 characters (129)");
    assertThatThrownBy(() -> SlotHash.slotOf("x".repeat(300), 1024))
        .hasMessage("user id is longer than 128 characters");
    assertThatThrownBy(() -> SlotHash.slotOf("ab\uD800", 1024))
        .hasMessage("user id has an unpaired surrogate at index 2");
    assertThatThrownBy(() -> SlotHash.slotOf("a\nb", 1024))
        .hasMessage("user id has a control character at index 1");
  }

  @Test
  void countsCharactersNotUtf16Units() {
    String emoji = "\uD83D\uDE00".repeat(128);
    assertThat(SlotHash.isValidUserId(emoji)).isTrue();
    assertThat(SlotHash.isValidUserId(emoji + "x")).isFalse();
  }

  @Test
  void rejectsSlotCountsOutOfRange() {
    assertThatThrownBy(() -> SlotHash.slotOf("u1", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slot count must be between 1 and 65536, got 0");
    assertThatThrownBy(() -> SlotHash.slotOf("u1", 65537)).hasMessageContaining("got 65537");
  }

  @Property(tries = 1000)
  void hashIsMurmur3OfTheUtf8BytesForEveryValidId(
      @ForAll @StringLength(min = 1, max = 128) String userId) {
    Assume.that(SlotHash.isValidUserId(userId));
    byte[] utf8 = userId.getBytes(StandardCharsets.UTF_8);
    assertThat(SlotHash.hash(userId))
        .isEqualTo(Integer.toUnsignedLong(MurmurHash3.hash32x86(utf8, 0, utf8.length, 0)));
  }

  @Property(tries = 1000)
  void hashOfPrintableAsciiIdsIsMurmur3OfTheirChars(
      @ForAll @StringLength(min = 1, max = 128) @CharRange(from = ' ', to = '~') String userId) {
    byte[] utf8 = userId.getBytes(StandardCharsets.US_ASCII);
    assertThat(SlotHash.hash(userId))
        .isEqualTo(Integer.toUnsignedLong(MurmurHash3.hash32x86(utf8, 0, utf8.length, 0)));
  }

  @Property(tries = 1000)
  void slotIsTheHashModuloTheSlotCount(
      @ForAll @StringLength(min = 1, max = 64) String userId,
      @ForAll @IntRange(min = 1, max = SlotHash.MAX_SLOTS) int slots) {
    if (!SlotHash.isValidUserId(userId)) {
      assertThatThrownBy(() -> SlotHash.slotOf(userId, slots))
          .isInstanceOf(InvalidUserIdException.class);
      return;
    }
    int slot = SlotHash.slotOf(userId, slots);
    assertThat(slot).isBetween(0, slots - 1).isEqualTo((int) (SlotHash.hash(userId) % slots));
  }
}
