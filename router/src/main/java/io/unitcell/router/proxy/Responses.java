package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The router's own answers: {@code {"status":N,"error":"reason"}}, the shape the cells use too. */
final class Responses {
  private Responses() {}

  static FullHttpResponse error(
      int status, String reason, long retryAfterSeconds, String epoch, boolean keepAlive) {
    ByteBuf body = Unpooled.wrappedBuffer(json(status, reason).getBytes(StandardCharsets.UTF_8));
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    if (retryAfterSeconds > 0) {
      headers.set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    if (epoch != null) {
      headers.set(Headers.EPOCH, epoch);
    }
    if (!keepAlive) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  static String json(int status, String reason) {
    StringBuilder json = new StringBuilder(reason.length() + 32);
    json.append("{\"status\":").append(status).append(",\"error\":\"");
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append("\"}").toString();
  }
}
