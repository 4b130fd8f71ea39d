package io.unitcell.infra.vitess;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A MySQL GTID set, e.g. {@code 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,4c0d5b5a-...:1-3}: per
 * source server, the transactions it originated that a server has executed. Sets compare by
 * containment, not by size: a replica has every transaction of a primary exactly when its set
 * {@link #containsAll contains} the primary's; what a failover lost is {@link #minus} of the old
 * primary's set and the new primary's. Immutable; intervals are kept merged and sorted.
 */
public final class GtidSet {

  /** One interval of transaction numbers, both ends included. */
  private record Interval(long from, long to) {}

  private static final GtidSet EMPTY = new GtidSet(Map.of());

  private final Map<String, List<Interval>> bySource;

  private GtidSet(Map<String, List<Interval>> bySource) {
    this.bySource = bySource;
  }

  public static GtidSet empty() {
    return EMPTY;
  }

  /**
   * Parses a GTID set as MySQL prints it, or a Vitess position ({@code MySQL56/<set>}).
   *
   * @throws IllegalArgumentException naming what is not a GTID set
   */
  public static GtidSet parse(String text) {
    String set = text.substring(text.indexOf('/') + 1).trim();
    if (set.isEmpty()) {
      return EMPTY;
    }
    Map<String, List<Interval>> bySource = new TreeMap<>();
    for (String source : set.split(",")) {
      String[] parts = source.trim().split(":");
      if (parts.length < 2 || parts[0].isBlank()) {
        throw new IllegalArgumentException("not a GTID set: " + text);
      }
      List<Interval> intervals =
          bySource.computeIfAbsent(
              parts[0].toLowerCase(java.util.Locale.ROOT), s -> new ArrayList<>());
      for (int i = 1; i < parts.length; i++) {
        String[] range = parts[i].split("-");
        try {
          long from = Long.parseLong(range[0]);
          long to = range.length > 1 ? Long.parseLong(range[1]) : from;
          if (range.length > 2 || from < 1 || to < from) {
            throw new NumberFormatException();
          }
          intervals.add(new Interval(from, to));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a GTID interval: " + parts[i] + " in " + text);
        }
      }
    }
    bySource.replaceAll((source, intervals) -> merge(intervals));
    return new GtidSet(Collections.unmodifiableMap(bySource));
  }

  /** How many transactions the set names. */
  public long size() {
    long size = 0;
    for (List<Interval> intervals : bySource.values()) {
      for (Interval interval : intervals) {
        size += interval.to() - interval.from() + 1;
      }
    }
    return size;
  }

  public boolean isEmpty() {
    return bySource.isEmpty();
  }

  /** Whether every transaction of {@code other} is in this set. */
  public boolean containsAll(GtidSet other) {
    return other.minus(this).isEmpty();
  }

  /** The transactions of this set that {@code other} lacks. */
  public GtidSet minus(GtidSet other) {
    Map<String, List<Interval>> left = new TreeMap<>();
    bySource.forEach(
        (source, intervals) -> {
          List<Interval> rest = intervals;
          for (Interval removed : other.bySource.getOrDefault(source, List.of())) {
            rest = subtract(rest, removed);
          }
          if (!rest.isEmpty()) {
            left.put(source, rest);
          }
        });
    return left.isEmpty() ? EMPTY : new GtidSet(Collections.unmodifiableMap(left));
  }

  /** Every transaction of this set and of {@code other}. */
  public GtidSet union(GtidSet other) {
    Map<String, List<Interval>> all = new TreeMap<>();
    bySource.forEach((source, intervals) -> all.put(source, new ArrayList<>(intervals)));
    other.bySource.forEach(
        (source, intervals) ->
            all.computeIfAbsent(source, s -> new ArrayList<>()).addAll(intervals));
    all.replaceAll((source, intervals) -> merge(intervals));
    return all.isEmpty() ? EMPTY : new GtidSet(Collections.unmodifiableMap(all));
  }

  private static List<Interval> subtract(List<Interval> intervals, Interval removed) {
    List<Interval> rest = new ArrayList<>();
    for (Interval interval : intervals) {
      if (interval.to() < removed.from() || interval.from() > removed.to()) {
        rest.add(interval);
        continue;
      }
      if (interval.from() < removed.from()) {
        rest.add(new Interval(interval.from(), removed.from() - 1));
      }
      if (interval.to() > removed.to()) {
        rest.add(new Interval(removed.to() + 1, interval.to()));
      }
    }
    return List.copyOf(rest);
  }

  private static List<Interval> merge(List<Interval> intervals) {
    List<Interval> sorted = new ArrayList<>(intervals);
    sorted.sort((a, b) -> Long.compare(a.from(), b.from()));
    List<Interval> merged = new ArrayList<>();
    for (Interval next : sorted) {
      Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && next.from() <= last.to() + 1) {
        merged.set(merged.size() - 1, new Interval(last.from(), Math.max(last.to(), next.to())));
      } else {
        merged.add(next);
      }
    }
    return List.copyOf(merged);
  }

  /** The set as MySQL prints it (sources sorted, intervals merged). */
  @Override
  public String toString() {
    List<String> sources = new ArrayList<>();
    bySource.forEach(
        (source, intervals) -> {
          StringBuilder text = new StringBuilder(source);
          for (Interval interval : intervals) {
            text.append(':').append(interval.from());
            if (interval.to() != interval.from()) {
              text.append('-').append(interval.to());
            }
          }
          sources.add(text.toString());
        });
    return String.join(",", sources);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof GtidSet set && set.bySource.equals(bySource);
  }

  @Override
  public int hashCode() {
    return bySource.hashCode();
  }
}
