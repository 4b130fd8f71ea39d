package io.unitcell.cell.degrade;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Degradation switches, flipped at run time ({@code PUT /admin/switches/{name}}) without a restart.
 * Off means: {@link Switch#CACHE} reads and writes go to the database only; {@link
 * Switch#NOTIFICATIONS} are not sent; {@link Switch#FLASH_SALE} orders are refused with 503
 * (already accepted ones are still persisted). Starting values come from {@code unitcell.switch.*}.
 */
@ApplicationScoped
public class Switches {

  private static final Logger LOG = Logger.getLogger(Switches.class);

  /** What can be switched off. */
  public enum Switch {
    CACHE,
    NOTIFICATIONS,
    FLASH_SALE,
    PIPELINE;

    /** The name in the API and in configuration: {@code cache}, {@code flash-sale}. */
    public String apiName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Switch> byApiName(String name) {
      for (Switch s : values()) {
        if (s.apiName().equals(name)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  private final Map<Switch, Boolean> state = new ConcurrentHashMap<>();
  private final Map<Switch, List<Runnable>> listeners = new ConcurrentHashMap<>();

  public Switches(
      @ConfigProperty(name = "unitcell.switch.cache", defaultValue = "true") boolean cache,
      @ConfigProperty(name = "unitcell.switch.notifications", defaultValue = "true")
          boolean notifications,
      @ConfigProperty(name = "unitcell.switch.flash-sale", defaultValue = "true") boolean flashSale,
      @ConfigProperty(name = "unitcell.switch.pipeline", defaultValue = "true") boolean pipeline) {
    state.put(Switch.CACHE, cache);
    state.put(Switch.NOTIFICATIONS, notifications);
    state.put(Switch.FLASH_SALE, flashSale);
    state.put(Switch.PIPELINE, pipeline);
  }

  public boolean isOn(Switch s) {
    return state.get(s);
  }

  /** Sets a switch; returns its previous position. */
  public boolean set(Switch s, boolean on) {
    Boolean before = state.put(s, on);
    if (before != on) {
      LOG.warnf("degradation switch %s turned %s", s.apiName(), on ? "on" : "off");
      listeners.getOrDefault(s, List.of()).forEach(Runnable::run);
    }
    return before;
  }

  /** Runs {@code listener} after each change of {@code s} (on the thread that changed it). */
  public void onChange(Switch s, Runnable listener) {
    listeners.computeIfAbsent(s, k -> new CopyOnWriteArrayList<>()).add(listener);
  }

  /** Every switch and its position, by API name. */
  public Map<String, Boolean> all() {
    Map<Switch, Boolean> copy = new EnumMap<>(Switch.class);
    copy.putAll(state);
    Map<String, Boolean> named = new LinkedHashMap<>();
    copy.forEach((k, v) -> named.put(k.apiName(), v));
    return Collections.unmodifiableMap(named);
  }
}
