package io.unitcell.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** The JUnit 5 side of {@link WithKubeTestbed}. */
public final class KubeTestbedExtension implements BeforeAllCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(KubeTestbedExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    testbed(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubeTestbed.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KubeTestbed testbed = testbed(context);
    return parameter.getParameter().getType() == KubeTestbed.class ? testbed : testbed.client();
  }

  // beforeAll stores it in the class's store; method-level stores see their parents' values
  private static KubeTestbed testbed(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    WithKubeTestbed settings =
        AnnotationSupport.findAnnotation(testClass, WithKubeTestbed.class)
            .orElseThrow(() -> new IllegalStateException(testClass + " lacks @WithKubeTestbed"));
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            testClass.getName(), key -> new Resource(start(settings)), Resource.class)
        .testbed();
  }

  private static KubeTestbed start(WithKubeTestbed settings) {
    return settings.tier() >= 2
        ? KubeTestbed.startTier2(List.of(settings.zones()), settings.nodesPerZone())
        : KubeTestbed.startTier1();
  }

  private record Resource(KubeTestbed testbed) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      testbed.close();
    }
  }
}
