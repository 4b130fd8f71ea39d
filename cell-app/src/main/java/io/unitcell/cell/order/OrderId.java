package io.unitcell.cell.order;

import io.unitcell.topology.SlotHash;
import java.time.Instant;

/**
 * An order id made by the app, never by the database (Vitess-safe: no auto_increment): a positive
 * 64-bit number of 41 bits of milliseconds since {@link #EPOCH}, 16 bits of the user's slot and 6
 * bits of sequence. The id alone tells its slot, hence its cell and shard, and ids sort by time.
 *
 * <p>Ids are unique per generator; two instances of a cell making an id for the same slot in the
 * same millisecond with the same sequence collide on the primary key, and the write is retried with
 * a fresh id. In JSON an id is a string: JavaScript numbers lose precision above 2^53.
 */
public record OrderId(long value) {

  /** 2026-01-01T00:00:00Z; ids start a millisecond later and 41 bits of milliseconds reach 2095. */
  public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  static final int SEQUENCE_BITS = 6;
  static final int SLOT_BITS = 16;
  static final int TIME_BITS = 41;
  static final int MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
  static final long MAX_TIME = (1L << TIME_BITS) - 1;

  public OrderId {
    if (value <= 0) {
      throw new IllegalArgumentException("order id must be positive, got " + value);
    }
  }

  /** The id of an order taken at {@code epochMillis} for a user in {@code slot}. */
  public static OrderId of(long epochMillis, int slot, int sequence) {
    long time = epochMillis - EPOCH.toEpochMilli();
    if (time < 1 || time > MAX_TIME) {
      throw new IllegalArgumentException(
          "time " + Instant.ofEpochMilli(epochMillis) + " out of range");
    }
    if (slot < 0 || slot >= SlotHash.MAX_SLOTS) {
      throw new IllegalArgumentException(
          "slot " + slot + " out of range 0-" + (SlotHash.MAX_SLOTS - 1));
    }
    if (sequence < 0 || sequence > MAX_SEQUENCE) {
      throw new IllegalArgumentException(
          "sequence " + sequence + " out of range 0-" + MAX_SEQUENCE);
    }
    return new OrderId(
        (time << (SLOT_BITS + SEQUENCE_BITS)) | ((long) slot << SEQUENCE_BITS) | sequence);
  }

  /**
   * Parses the decimal form.
   *
   * @throws IllegalArgumentException when {@code text} is not a positive 64-bit decimal number
   */
  public static OrderId parse(String text) {
    if (text == null
        || text.isEmpty()
        || text.length() > 19
        || !text.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("order id must be a positive decimal number");
    }
    try {
      return new OrderId(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("order id must be a positive decimal number");
    }
  }

  /** When the id was made. */
  public Instant time() {
    return EPOCH.plusMillis(value >>> (SLOT_BITS + SEQUENCE_BITS));
  }

  /** The slot of the order's user. */
  public int slot() {
    return (int) ((value >>> SEQUENCE_BITS) & ((1 << SLOT_BITS) - 1));
  }

  public int sequence() {
    return (int) (value & MAX_SEQUENCE);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
