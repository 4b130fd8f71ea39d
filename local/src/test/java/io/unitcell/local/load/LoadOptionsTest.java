package io.unitcell.local.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./unitcell load}'s options. */
class LoadOptionsTest {

  static final Path DEFAULT = Path.of("/tmp/acked-default.txt");

  static LoadOptions parse(String... args) {
    return LoadOptions.parse(List.of(args), DEFAULT);
  }

  @Test
  void defaultsAndEveryOption() {
    assertThat(parse())
        .isEqualTo(new LoadOptions(1000, 10, Duration.ofSeconds(60), DEFAULT, null, null));
    assertThat(
            parse(
                "--users",
                "200",
                "--rps",
                "5",
                "--duration",
                "2m",
                "--acked",
                "/tmp/a.txt",
                "--flash-sale",
                "phone-1",
                "--stock",
                "25"))
        .isEqualTo(
            new LoadOptions(200, 5, Duration.ofMinutes(2), Path.of("/tmp/a.txt"), "phone-1", 25L));
    assertThat(parse("--flash-sale", "phone-1"))
        .extracting(LoadOptions::flashSale, LoadOptions::stock)
        .containsExactly("phone-1", null);
  }

  @Test
  void wrongOptionsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> parse("--stock", "5"))
        .hasMessage("--stock is the stock of a --flash-sale SKU");
    assertThatThrownBy(() -> parse("--flash-sale")).hasMessage("--flash-sale needs a value");
    assertThatThrownBy(() -> parse("--flash-sale", "no/such"))
        .hasMessageContaining("SKU 'no/such'");
    assertThatThrownBy(() -> parse("--flash-sale", "phone-1", "--stock", "-3"))
        .hasMessageContaining("outside 0-");
    assertThatThrownBy(() -> parse("--users", "many"))
        .hasMessage("--users many: not a whole number");
    assertThatThrownBy(() -> parse("--duration", "soon"))
        .hasMessage("--duration soon: a duration such as 60s or 2m is needed");
    assertThatThrownBy(() -> parse("--rps", "0"))
        .hasMessage("--users, --rps and --duration must be positive");
    assertThatThrownBy(() -> parse("--flash", "x")).hasMessage("unknown option --flash");
  }
}
