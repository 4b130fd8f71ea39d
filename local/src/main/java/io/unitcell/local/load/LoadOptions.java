package io.unitcell.local.load;

import io.unitcell.local.flashsale.FlashSales;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The options of {@code ./unitcell load}; {@code flashSale} and {@code stock} may be null. */
public record LoadOptions(
    int users, int rps, Duration duration, Path acked, String flashSale, Long stock) {

  /**
   * Parses {@code load}'s arguments; {@code acked} is the file when none is named.
   *
   * @throws IllegalArgumentException with the reason
   */
  public static LoadOptions parse(List<String> args, Path acked) {
    int users = 1000;
    int rps = 10;
    Duration duration = Duration.ofSeconds(60);
    String flashSale = null;
    Long stock = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!List.of("--users", "--rps", "--duration", "--acked", "--flash-sale", "--stock")
          .contains(arg)) {
        throw new IllegalArgumentException("unknown option " + arg);
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      String value = args.get(++i);
      try {
        switch (arg) {
          case "--users" -> users = Integer.parseInt(value);
          case "--rps" -> rps = Integer.parseInt(value);
          case "--duration" -> duration = duration(value);
          case "--acked" -> acked = Path.of(value);
          case "--flash-sale" -> flashSale = FlashSales.checkSku(value);
          default -> stock = FlashSales.parseStock(value);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            arg
                + " "
                + value
                + (arg.equals("--duration")
                    ? ": a duration such as 60s or 2m is needed"
                    : ": not a whole number"));
      }
    }
    if (users < 1 || rps < 1 || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--users, --rps and --duration must be positive");
    }
    if (stock != null && flashSale == null) {
      throw new IllegalArgumentException("--stock is the stock of a --flash-sale SKU");
    }
    return new LoadOptions(users, rps, duration, acked, flashSale, stock);
  }

  /** {@code 90s}, {@code 2m}, {@code 1h} or plain seconds. */
  public static Duration duration(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a duration such as 60s or 2m is needed");
    }
    char unit = text.charAt(text.length() - 1);
    long amount =
        Long.parseLong(Character.isDigit(unit) ? text : text.substring(0, text.length() - 1));
    return switch (unit) {
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
