package io.unitcell.router.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.topology.CellState;
import org.junit.jupiter.api.Test;

class EndpointTest {

  static final long SECOND = 1_000_000_000L;

  @Test
  void consecutiveFailuresEjectForAWhileLongerEachTimeInARow() {
    Endpoint endpoint = new Endpoint("127.0.0.1:8080", 3, 10 * SECOND);
    assertThat(endpoint.onFailure(0)).isFalse();
    endpoint.onSuccess(); // the streak ends
    assertThat(endpoint.onFailure(0)).isFalse();
    assertThat(endpoint.onFailure(0)).isFalse();
    assertThat(endpoint.onFailure(0)).isTrue();
    assertThat(endpoint.isUsable(9 * SECOND)).isFalse();
    assertThat(endpoint.isUsable(10 * SECOND)).isTrue();

    // ejected again straight after: twice as long
    endpoint.onFailure(11 * SECOND);
    endpoint.onFailure(11 * SECOND);
    assertThat(endpoint.onFailure(11 * SECOND)).isTrue();
    assertThat(endpoint.isUsable(30 * SECOND)).isFalse();
    assertThat(endpoint.isUsable(31 * SECOND)).isTrue();
    endpoint.onSuccess(); // back in service: the next ejection is short again
    endpoint.onFailure(40 * SECOND);
    endpoint.onFailure(40 * SECOND);
    endpoint.onFailure(40 * SECOND);
    assertThat(endpoint.isUsable(50 * SECOND)).isTrue();
  }

  @Test
  void activeChecksTakeOutAndBringBack() {
    Endpoint endpoint = new Endpoint("[::1]:9000", 3, SECOND);
    assertThat(endpoint.host()).isEqualTo("::1");
    assertThat(endpoint.port()).isEqualTo(9000);
    assertThat(endpoint.onCheck(false, 2)).isFalse();
    assertThat(endpoint.isUsable(0)).isTrue();
    assertThat(endpoint.onCheck(false, 2)).isTrue();
    assertThat(endpoint.isUsable(0)).isFalse();
    assertThat(endpoint.onCheck(true, 2)).isTrue();
    assertThat(endpoint.isUsable(0)).isTrue();
  }

  @Test
  void pickNeverChoosesAnEjectedEndpointWhileAHealthyOneExists() {
    Endpoint a = new Endpoint("a:1", 1, 100 * SECOND);
    Endpoint b = new Endpoint("b:1", 1, 100 * SECOND);
    Endpoint c = new Endpoint("c:1", 1, 100 * SECOND);
    CellTarget cell = new CellTarget("cell-1", CellState.SERVING, new Endpoint[] {a, b, c}, null);
    a.onFailure(0);
    for (int i = 0; i < 30; i++) {
      assertThat(cell.pick(SECOND, null)).isIn(b, c);
    }
    assertThat(cell.pick(SECOND, b)).isSameAs(c); // a retry avoids the endpoint that failed
    b.onFailure(0);
    c.onFailure(0);
    // none usable: still try one (not the one that just failed) rather than fail for sure
    assertThat(cell.pick(SECOND, c)).isIn(a, b);
    assertThat(new CellTarget("x", CellState.SERVING, new Endpoint[] {a}, null).pick(0, a))
        .isNull();
  }
}
