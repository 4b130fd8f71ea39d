package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The router's own answers: {@code {"status":N,"error":"reason"}}, the shape the cells use too; and
 * their bytes (the client side has no HTTP encoder: the cells' answers go out as bytes).
 */
final class Responses {
  private Responses() {}

  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

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

  /**
   * {@code response} as bytes, which it gives up (released).
   *
   * @param headRequest whether it answers a HEAD request: the head only
   */
  static ByteBuf encode(ByteBufAllocator alloc, FullHttpResponse response, boolean headRequest) {
    ByteBuf content = response.content();
    ByteBuf out = alloc.buffer(256 + (headRequest ? 0 : content.readableBytes()));
    try {
      out.writeCharSequence(response.protocolVersion().text(), StandardCharsets.US_ASCII);
      out.writeByte(' ');
      out.writeCharSequence(response.status().codeAsText(), StandardCharsets.US_ASCII);
      out.writeByte(' ');
      out.writeCharSequence(response.status().reasonPhrase(), StandardCharsets.US_ASCII);
      out.writeShort(0x0d0a);
      Iterator<Map.Entry<CharSequence, CharSequence>> headers =
          response.headers().iteratorCharSequence();
      while (headers.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = headers.next();
        out.writeCharSequence(header.getKey(), StandardCharsets.US_ASCII);
        out.writeByte(':');
        out.writeByte(' ');
        out.writeCharSequence(header.getValue(), StandardCharsets.US_ASCII);
        out.writeShort(0x0d0a);
      }
      out.writeShort(0x0d0a);
      if (!headRequest) {
        out.writeBytes(content, content.readerIndex(), content.readableBytes());
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    } finally {
      response.release();
    }
  }

  /** The interim answer to {@code Expect: 100-continue}. */
  static ByteBuf continue100() {
    return Unpooled.wrappedBuffer(CONTINUE);
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
