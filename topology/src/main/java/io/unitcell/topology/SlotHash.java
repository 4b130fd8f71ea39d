package io.unitcell.topology;

import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * Maps a user id to its slot: {@code slot = murmur3_32(utf8(userId), seed 0) mod S}, the 32-bit
 * hash read as unsigned.
 *
 * <p>This function is frozen. Routers and cells compute it independently and must agree on every
 * user forever, so it is pinned by golden values in {@code slot-hash-golden.csv}; changing any of
 * them means moving every user's data. The hash is x86 MurmurHash3_32 (Apache Commons Codec's
 * {@code hash32x86}, the same values as Guava's {@code murmur3_32_fixed} and Python's {@code
 * mmh3}).
 *
 * <p>A user id is 1 to {@value #MAX_USER_ID_LENGTH} Unicode characters, without control characters
 * and without unpaired surrogates (which have no UTF-8 form, so two different ids could otherwise
 * hash alike).
 */
public final class SlotHash {

  /** Longest accepted user id, in Unicode code points. */
  public static final int MAX_USER_ID_LENGTH = 128;

  /** Default slot count of a topology. */
  public static final int DEFAULT_SLOTS = 1024;

  /** Largest slot count a topology may have. */
  public static final int MAX_SLOTS = 65536;

  private static final int SEED = 0;

  private SlotHash() {}

  /** The unsigned 32-bit murmur3 hash of the user id's UTF-8 bytes. */
  public static long hash(String userId) {
    byte[] utf8 = utf8(userId);
    return Integer.toUnsignedLong(MurmurHash3.hash32x86(utf8, 0, utf8.length, SEED));
  }

  /**
   * The slot of a user in a topology of {@code slotCount} slots.
   *
   * @throws InvalidUserIdException when the user id is not a valid user id
   * @throws IllegalArgumentException when the slot count is outside 1..{@value #MAX_SLOTS}
   */
  public static int slotOf(String userId, int slotCount) {
    checkSlotCount(slotCount);
    return (int) (hash(userId) % slotCount);
  }

  /** Checks a slot count, returning it. */
  public static int checkSlotCount(int slotCount) {
    if (slotCount < 1 || slotCount > MAX_SLOTS) {
      throw new IllegalArgumentException(
          "slot count must be between 1 and " + MAX_SLOTS + ", got " + slotCount);
    }
    return slotCount;
  }

  /** Whether {@code userId} is acceptable as a user id. */
  public static boolean isValidUserId(String userId) {
    return problemWith(userId) == null;
  }

  // hot path: most ids are printable ASCII, whose UTF-8 bytes are their chars; one pass checks
  // and encodes them, anything else takes the full check and the JDK's encoder
  private static byte[] utf8(String userId) {
    int length = userId == null ? 0 : userId.length();
    if (length > 0 && length <= MAX_USER_ID_LENGTH) {
      byte[] ascii = new byte[length];
      int i = 0;
      for (char c; i < length && (c = userId.charAt(i)) >= 0x20 && c < 0x7f; i++) {
        ascii[i] = (byte) c;
      }
      if (i == length) {
        return ascii;
      }
    }
    return validUserId(userId).getBytes(StandardCharsets.UTF_8);
  }

  private static String validUserId(String userId) {
    String problem = problemWith(userId);
    if (problem != null) {
      throw new InvalidUserIdException(problem);
    }
    return userId;
  }

  private static String problemWith(String userId) {
    if (userId == null) {
      return "user id is missing";
    }
    if (userId.isEmpty()) {
      return "user id is empty";
    }
    if (userId.length() > 2 * MAX_USER_ID_LENGTH) {
      return "user id is longer than " + MAX_USER_ID_LENGTH + " characters";
    }
    int codePoints = 0;
    for (int i = 0; i < userId.length(); i++) {
      char c = userId.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < userId.length()
          && Character.isLowSurrogate(userId.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "user id has an unpaired surrogate at index " + i;
      } else if (Character.isISOControl(c)) {
        return "user id has a control character at index " + i;
      }
      codePoints++;
    }
    if (codePoints > MAX_USER_ID_LENGTH) {
      return "user id is longer than " + MAX_USER_ID_LENGTH + " characters (" + codePoints + ")";
    }
    return null;
  }

  /** A user id that cannot be hashed; the message says why, without echoing the id. */
  public static final class InvalidUserIdException extends IllegalArgumentException {
    InvalidUserIdException(String message) {
      super(message);
    }
  }
}
