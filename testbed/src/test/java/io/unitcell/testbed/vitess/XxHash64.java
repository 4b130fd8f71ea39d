package io.unitcell.testbed.vitess;

import java.nio.charset.StandardCharsets;

/**
 * XXH64 with seed 0, as Vitess's {@code xxhash} vindex uses it, so the test can say on which shard
 * a row belongs without asking Vitess.
 */
final class XxHash64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  /**
   * The shard of a two-shard keyspace ({@code -80}, {@code 80-}) that holds {@code id}: the vindex
   * writes the hash little-endian, so the keyspace id's first byte is the hash's lowest byte.
   */
  static String shardOf(String id) {
    long firstByte = hash(id.getBytes(StandardCharsets.UTF_8)) & 0xFF;
    return firstByte < 0x80 ? "-80" : "80-";
  }

  static long hash(byte[] in) {
    int length = in.length;
    int i = 0;
    long h;
    if (length >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      do {
        v1 = round(v1, long64(in, i));
        v2 = round(v2, long64(in, i + 8));
        v3 = round(v3, long64(in, i + 16));
        v4 = round(v4, long64(in, i + 24));
        i += 32;
      } while (i <= length - 32);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7);
      h += Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += length;
    for (; i + 8 <= length; i += 8) {
      h ^= round(0, long64(in, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (i + 4 <= length) {
      h ^= (int32(in, i) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    for (; i < length; i++) {
      h ^= (in[i] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    return Long.rotateLeft(acc + input * P2, 31) * P1;
  }

  private static long merge(long acc, long value) {
    return (acc ^ round(0, value)) * P1 + P4;
  }

  private static long long64(byte[] in, int at) {
    return (int32(in, at) & 0xFFFFFFFFL) | ((long) int32(in, at + 4) << 32);
  }

  private static int int32(byte[] in, int at) {
    return (in[at] & 0xFF)
        | (in[at + 1] & 0xFF) << 8
        | (in[at + 2] & 0xFF) << 16
        | (in[at + 3] & 0xFF) << 24;
  }
}
