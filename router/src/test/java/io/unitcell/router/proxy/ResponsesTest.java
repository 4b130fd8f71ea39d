package io.unitcell.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponsesTest {

  private static String encode(boolean head) {
    ByteBuf bytes =
        Responses.encode(
            UnpooledByteBufAllocator.DEFAULT,
            Responses.error(503, "cell \"c\" is down", 1, "7", false),
            head);
    String text = bytes.toString(StandardCharsets.US_ASCII);
    bytes.release();
    return text;
  }

  @Test
  void theRoutersOwnAnswerIsAWholeHttpMessage() {
    String body = "{\"status\":503,\"error\":\"cell \\\"c\\\" is down\"}";
    assertThat(encode(false))
        .isEqualTo(
            "HTTP/1.1 503 Service Unavailable\r\n"
                + "content-type: application/json\r\n"
                + "content-length: "
                + body.length()
                + "\r\n"
                + "retry-after: 1\r\n"
                + "X-Unitcell-Router-Epoch: 7\r\n"
                + "connection: close\r\n"
                + "\r\n"
                + body);
  }

  @Test
  void anAnswerToHeadHasItsHeadOnly() {
    String body = "{\"status\":503,\"error\":\"cell \\\"c\\\" is down\"}";
    assertThat(encode(true))
        .contains("content-length: " + body.length() + "\r\n") // what a GET would have had
        .endsWith("connection: close\r\n\r\n");
  }
}
