package io.unitcell.cell.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.faulttolerance.Asynchronous;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * Sends one notification: non-core work, fenced off from order writes. It runs on its own few
 * threads with a short queue (a slow receiver fills those, never the request threads), within a
 * short budget, behind its own breaker; when any of that says no, the notification is dropped and
 * counted, the order is unaffected.
 */
@ApplicationScoped
public class NotificationSender {

  /** How a notification ended. */
  public enum Outcome {
    SENT,
    DROPPED
  }

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofMillis(200))
          .build();
  private final ObjectMapper json;

  NotificationSender(ObjectMapper json) {
    this.json = json;
  }

  @Asynchronous
  @Bulkhead(value = 4, waitingTaskQueue = 64)
  @Timeout(value = 500, unit = ChronoUnit.MILLIS)
  @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5000)
  @Fallback(fallbackMethod = "dropped")
  public CompletionStage<Outcome> send(URI target, OrderEvent event)
      throws IOException, InterruptedException {
    HttpResponse<Void> response =
        http.send(
            HttpRequest.newBuilder(target)
                .timeout(Duration.ofMillis(500))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(event)))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() >= 300) {
      throw new IOException("notification receiver answered " + response.statusCode());
    }
    return CompletableFuture.completedFuture(Outcome.SENT);
  }

  CompletionStage<Outcome> dropped(URI target, OrderEvent event) {
    return CompletableFuture.completedFuture(Outcome.DROPPED);
  }

  private String body(OrderEvent event) {
    try {
      return json.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
