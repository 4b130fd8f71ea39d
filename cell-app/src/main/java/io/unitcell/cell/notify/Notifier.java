package io.unitcell.cell.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.unitcell.cell.degrade.Switches;
import io.unitcell.cell.degrade.Switches.Switch;
import io.unitcell.cell.order.OrderColumns;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Tells a receiver ({@code unitcell.notifications.url}, e.g. a messaging service) about order
 * changes, after they are committed. Best effort by design: switched off at run time (switch {@code
 * notifications}) or failing, it costs an order nothing. Counted in {@code
 * unitcell_notifications_total{outcome=sent|dropped|off}}.
 */
// created at start-up so that its metrics exist before the first request
@Startup
@ApplicationScoped
public class Notifier {

  private static final Logger LOG = Logger.getLogger(Notifier.class);

  private final NotificationSender sender;
  private final Switches switches;
  private final Optional<URI> target;
  private final Counter sent;
  private final Counter dropped;
  private final Counter off;

  Notifier(
      NotificationSender sender,
      Switches switches,
      MeterRegistry registry,
      @ConfigProperty(name = "unitcell.notifications.url") Optional<URI> target) {
    this.sender = sender;
    this.switches = switches;
    this.target = target;
    this.sent = counter(registry, "sent");
    this.dropped = counter(registry, "dropped");
    this.off = counter(registry, "off");
  }

  /** Sends the order's new status in the background; returns at once. */
  public void orderChanged(OrderColumns order) {
    if (target.isEmpty() || !switches.isOn(Switch.NOTIFICATIONS)) {
      off.increment();
      return;
    }
    OrderEvent event = OrderEvent.of(order);
    try {
      sender
          .send(target.get(), event)
          .whenComplete(
              (outcome, failure) -> {
                if (failure == null && outcome == NotificationSender.Outcome.SENT) {
                  sent.increment();
                } else {
                  dropped.increment();
                }
              });
    } catch (Exception e) {
      dropped.increment();
      LOG.debugf("notification for order %s dropped: %s", event.orderId(), e.toString());
    }
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("unitcell.notifications")
        .description("Order notifications by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
