package io.unitcell.cell.api;

import static io.unitcell.cell.api.CacheIT.switchTo;
import static io.unitcell.cell.api.OrderApiIT.BODY;
import static io.unitcell.cell.api.OrderApiIT.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Notifications are non-core: a receiver that hangs costs orders nothing (own bulkhead, time
 * budget, breaker), and the switch turns them off at run time.
 */
@QuarkusTest
@QuarkusTestResource(VitessCellResource.class)
class NotificationsIT {

  @Inject MeterRegistry registry;

  double notifications(String outcome) {
    var counter = registry.find("unitcell.notifications").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aHangingReceiverDoesNotHoldUpOrdersAndTheSwitchTurnsNotificationsOff() {
    NotificationStub stub = VitessCellResource.notifications;
    stub.delayMillis = 0;
    double sent = notifications("sent");
    post("note-ann", "n-1", BODY).then().statusCode(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> notifications("sent") > sent);

    // the receiver hangs: every order is still made; its notification is dropped after 500 ms or
    // at once when the notification bulkhead (4 running, 64 waiting) or breaker says no
    stub.delayMillis = 10_000;
    double dropped = notifications("dropped");
    for (int i = 0; i < 100; i++) {
      post("note-bob-" + i, "n-1", BODY).then().statusCode(201);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(notifications("dropped") - dropped).isGreaterThanOrEqualTo(100));

    // switched off: nothing reaches the receiver, orders go on
    stub.delayMillis = 0;
    switchTo("notifications", false);
    try {
      int received = stub.received.get();
      double off = notifications("off");
      for (int i = 0; i < 5; i++) {
        post("note-cy-" + i, "n-1", BODY).then().statusCode(201);
      }
      assertThat(notifications("off") - off).isEqualTo(5);
      assertThat(stub.received.get()).isEqualTo(received);
    } finally {
      switchTo("notifications", true);
    }
  }
}
