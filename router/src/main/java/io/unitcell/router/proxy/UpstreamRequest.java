package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The request as a cell receives it, written as bytes straight from the client's decoded request
 * (no Netty encoder, no header edits on the request object): the client's headers less hop-by-hop
 * ones, the token, any user or secret header it sent, its {@code Content-Length} and {@code
 * X-Forwarded-For}; then the router's own: {@code Host} when the client sent none (HTTP/1.0), the
 * user, the shared secret, {@code X-Forwarded-For} with the client's address, and the body's
 * length.
 */
final class UpstreamRequest {

  private static final byte[] HTTP_1_1 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final short CRLF = ('\r' << 8) | '\n';

  private UpstreamRequest() {}

  /**
   * The request's head, and its body too when {@code inlineBody} (else the caller sends the body
   * after it).
   *
   * @param host the endpoint's address, for a request that came without a {@code Host}
   */
  static ByteBuf encode(
      ByteBufAllocator alloc,
      FullHttpRequest request,
      boolean inlineBody,
      CharSequence userHeader,
      String user,
      String secret,
      String clientIp,
      String host) {
    ByteBuf body = request.content();
    int length = body.readableBytes();
    ByteBuf out = alloc.buffer(512 + (inlineBody ? length : 0));
    out.writeCharSequence(request.method().asciiName(), StandardCharsets.US_ASCII);
    out.writeByte(' ');
    out.writeCharSequence(request.uri(), StandardCharsets.ISO_8859_1);
    out.writeBytes(HTTP_1_1);
    String forwardedFor = null;
    boolean hadLength = false;
    boolean hadHost = false;
    Iterator<Map.Entry<CharSequence, CharSequence>> headers =
        request.headers().iteratorCharSequence();
    while (headers.hasNext()) {
      Map.Entry<CharSequence, CharSequence> header = headers.next();
      CharSequence name = header.getKey();
      if (Headers.isHopByHop(name)
          || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.AUTHORIZATION)
          || AsciiString.contentEqualsIgnoreCase(name, userHeader)
          || (secret != null && AsciiString.contentEqualsIgnoreCase(name, Headers.SECRET))) {
        continue;
      }
      if (AsciiString.contentEqualsIgnoreCase(name, Headers.FORWARDED_FOR)) {
        if (forwardedFor == null) {
          forwardedFor = header.getValue().toString();
        }
        continue;
      }
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
        hadLength = true;
        continue;
      }
      if (name.length() == 4 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
        hadHost = true;
      }
      writeHeader(out, name, header.getValue());
    }
    if (!hadHost) {
      writeHeader(out, HttpHeaderNames.HOST, host);
    }
    writeHeader(out, userHeader, user);
    if (secret != null) {
      writeHeader(out, Headers.SECRET, secret);
    }
    writeHeader(
        out,
        Headers.FORWARDED_FOR,
        forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
    if (length > 0 || hadLength) {
      out.writeCharSequence(HttpHeaderNames.CONTENT_LENGTH, StandardCharsets.US_ASCII);
      out.writeByte(':');
      out.writeByte(' ');
      CellResponse.writeDecimal(out, length); // a chunked body gets its length here
      out.writeShort(CRLF);
    }
    out.writeShort(CRLF);
    if (inlineBody) {
      out.writeBytes(body, body.readerIndex(), length);
    }
    return out;
  }

  private static void writeHeader(ByteBuf out, CharSequence name, CharSequence value) {
    out.writeCharSequence(name, StandardCharsets.US_ASCII);
    out.writeByte(':');
    out.writeByte(' ');
    out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    out.writeShort(CRLF);
  }
}
