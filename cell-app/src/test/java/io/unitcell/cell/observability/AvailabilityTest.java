package io.unitcell.cell.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class AvailabilityTest {

  final Availability availability = new Availability(new SimpleMeterRegistry());

  @Test
  void isTheShareOfRequestsWithoutA5xxInTheLastMinute() {
    assertThat(availability.ratio(1_000)).isEqualTo(1.0);
    for (int i = 0; i < 9; i++) {
      availability.record(false, 1_000);
    }
    availability.record(true, 1_001);
    assertThat(availability.ratio(1_001)).isEqualTo(0.9);
    // the failure counts for 60 s, then leaves the window, and its bucket is reused
    assertThat(availability.ratio(1_060)).isEqualTo(0.0);
    assertThat(availability.ratio(1_061)).isEqualTo(1.0);
    availability.record(false, 1_061);
    availability.record(false, 1_061);
    assertThat(availability.ratio(1_061)).isEqualTo(1.0);
    availability.record(true, 1_062);
    assertThat(availability.ratio(1_062))
        .isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
  }
}
