package io.unitcell.local.acked;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acknowledged-orders file: what load writes is what verify reads. */
class AckedOrdersTest {

  @Test
  void theAckedFileNamesOrdinaryAndFlashSaleOrders() {
    AckedOrders.Contents acked =
        AckedOrders.parse(
            List.of("11 user-1", "", "12 user-2 flash:phone-1", "  13   user-3  ", "11 user-1"));
    assertThat(acked.users()).isEqualTo(Map.of("11", "user-1", "12", "user-2", "13", "user-3"));
    assertThat(acked.flashSkus()).isEqualTo(Map.of("12", "phone-1"));
    assertThat(acked.duplicateLines()).isEqualTo(1);

    assertThatThrownBy(() -> AckedOrders.parse(List.of("11 user-1", "12")))
        .hasMessageContaining("line 2 is not");
    assertThatThrownBy(() -> AckedOrders.parse(List.of("12 user-2 other")))
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> AckedOrders.parse(List.of("12 user-2 flash:")))
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> AckedOrders.parse(List.of("abc user-2")))
        .hasMessageContaining("line 1");
  }

  @Test
  void whatIsWrittenIsReadBack(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("acked.txt");
    AckedOrders.write(
        file,
        List.of(
            AckedOrders.Order.ordinary("11", "user-1"),
            AckedOrders.Order.flashSale("12", "user-2", "phone-1")));
    assertThat(Files.readAllLines(file)).containsExactly("11 user-1", "12 user-2 flash:phone-1");
    AckedOrders.Contents read = AckedOrders.read(file);
    assertThat(read.users()).isEqualTo(Map.of("11", "user-1", "12", "user-2"));
    assertThat(read.flashSkus()).isEqualTo(Map.of("12", "phone-1"));
    assertThat(read.duplicateLines()).isZero();
  }
}
