package io.unitcell.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

  @Test
  void metersGoStraightToTheOnlyRegistryOfAComposite() {
    SimpleMeterRegistry prometheus = new SimpleMeterRegistry();
    CompositeMeterRegistry composite = new CompositeMeterRegistry().add(prometheus);
    assertThat(RouterMetrics.direct(composite)).isSameAs(prometheus);

    RouterMetrics metrics = new RouterMetrics(composite, () -> 0);
    metrics.cell("cell-1").record(RouteClass.ORDER_READ, 200, 1_000_000);
    assertThat(
            prometheus
                .get("unitcell.router.requests")
                .tags("cell", "cell-1", "route", RouteClass.ORDER_READ.label())
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void aCompositeOfSeveralRegistriesIsKept() {
    CompositeMeterRegistry composite =
        new CompositeMeterRegistry().add(new SimpleMeterRegistry()).add(new SimpleMeterRegistry());
    assertThat(RouterMetrics.direct(composite)).isSameAs(composite);
    SimpleMeterRegistry plain = new SimpleMeterRegistry();
    assertThat(RouterMetrics.direct(plain)).isSameAs(plain);
  }
}
