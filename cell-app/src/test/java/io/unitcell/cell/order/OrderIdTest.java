package io.unitcell.cell.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class OrderIdTest {

  static final long T0 = Instant.parse("2026-11-11T00:00:00Z").toEpochMilli();

  @Property(tries = 1000)
  void anIdTellsItsTimeSlotAndSequence(
      @ForAll @LongRange(min = 1, max = 2_000_000_000_000L) long millisAfterEpoch,
      @ForAll @IntRange(min = 0, max = 65535) int slot,
      @ForAll @IntRange(min = 0, max = 63) int sequence) {
    long millis = OrderId.EPOCH.toEpochMilli() + millisAfterEpoch;
    OrderId id = OrderId.of(millis, slot, sequence);
    assertThat(id.value()).isPositive();
    assertThat(id.time().toEpochMilli()).isEqualTo(millis);
    assertThat(id.slot()).isEqualTo(slot);
    assertThat(id.sequence()).isEqualTo(sequence);
    assertThat(OrderId.parse(id.toString())).isEqualTo(id);
  }

  @Property(tries = 1000)
  void laterIdsSortAfterEarlierOnes(
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long millis,
      @ForAll @IntRange(min = 0, max = 65535) int slotA,
      @ForAll @IntRange(min = 0, max = 65535) int slotB) {
    long base = OrderId.EPOCH.toEpochMilli() + millis;
    assertThat(OrderId.of(base + 1, slotB, 0).value())
        .isGreaterThan(OrderId.of(base, slotA, 63).value());
  }

  @Test
  void refusesWhatIsNotAnId() {
    assertThatThrownBy(() -> OrderId.parse("12a"))
        .hasMessage("order id must be a positive decimal number");
    assertThatThrownBy(() -> OrderId.parse(""))
        .hasMessage("order id must be a positive decimal number");
    assertThatThrownBy(() -> OrderId.parse("99999999999999999999"))
        .hasMessage("order id must be a positive decimal number");
    assertThatThrownBy(() -> OrderId.parse("0")).hasMessage("order id must be positive, got 0");
    assertThatThrownBy(() -> OrderId.of(T0, 65536, 0))
        .hasMessage("slot 65536 out of range 0-65535");
    assertThatThrownBy(() -> OrderId.of(0, 1, 0)).hasMessageContaining("out of range");
  }

  @Test
  void theGeneratorBorrowsTheNextMillisecondWhenOneRunsOut() {
    OrderIdGenerator generator = new OrderIdGenerator(() -> T0);
    List<OrderId> ids = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      ids.add(generator.next(7));
    }
    assertThat(ids).extracting(OrderId::value).isSorted().doesNotHaveDuplicates();
    assertThat(ids.get(63).time().toEpochMilli()).isEqualTo(T0);
    assertThat(ids.get(64).time().toEpochMilli()).isEqualTo(T0 + 1);
    assertThat(ids).allMatch(id -> id.slot() == 7);
  }

  @Test
  void theGeneratorNeverGoesBackWhenTheClockDoes() {
    AtomicLong clock = new AtomicLong(T0 + 1000);
    OrderIdGenerator generator = new OrderIdGenerator(clock::get);
    OrderId before = generator.next(1);
    clock.set(T0); // NTP stepped the clock back a second
    OrderId after = generator.next(1);
    assertThat(after.value()).isGreaterThan(before.value());
  }

  @Test
  void idsAreUniqueUnderConcurrency() throws Exception {
    OrderIdGenerator generator = new OrderIdGenerator();
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    assertThat(seen.add(generator.next(i & 1023).value())).isTrue();
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(new HashSet<>(seen)).hasSize(80_000);
  }
}
