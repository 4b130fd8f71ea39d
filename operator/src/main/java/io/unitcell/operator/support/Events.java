package io.unitcell.operator.support;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events for the transitions a platform team wants in {@code kubectl describe}: a new
 * routing table, a fence, a refused removal. Recorded only when something changed, never on a
 * steady-state pass; best effort (a failed Event is logged, the reconcile goes on).
 */
public final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(Events.class);
  private static final String COMPONENT = "unitcell-operator";

  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private Events() {}

  public static void record(
      KubernetesClient client, HasMetadata about, String type, String reason, String message) {
    String now = Instant.now().toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(about.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(about.getMetadata().getName() + ".")
                  .withNamespace(about.getMetadata().getNamespace())
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(about.getApiVersion())
                          .withKind(about.getKind())
                          .withName(about.getMetadata().getName())
                          .withNamespace(about.getMetadata().getNamespace())
                          .withUid(about.getMetadata().getUid())
                          .build())
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          about.getKind(),
          about.getMetadata().getName(),
          e.getMessage());
    }
  }
}
