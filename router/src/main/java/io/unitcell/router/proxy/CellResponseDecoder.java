package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads a cell's answers off its connection without turning the head into objects: the status line
 * and the header lines to forward are copied as bytes into the head for the client, hop-by-hop
 * headers left out; only the framing ({@code Content-Length}, {@code Transfer-Encoding}), {@code
 * Connection} and, on a 421, the cell's epoch are read. The body is read whole: one that arrived in
 * one piece is passed on without a copy, a chunked one is de-chunked (trailers are dropped).
 *
 * <p>HTTP/1.1 (RFC 9112, 6.3): interim 1xx answers are skipped; answers to HEAD and 204/304 have no
 * body; {@code Transfer-Encoding} wins over {@code Content-Length}; a body with neither ends with
 * the connection. A malformed head, obsolete line folding, differing lengths, a head over {@value
 * #MAX_HEAD} bytes or a body over the limit close the connection, which the exchange sees as a
 * broken one (502, or a retry when that is safe). Header values are not validated: the cells are
 * trusted, as they were with Netty's decoder.
 */
final class CellResponseDecoder extends HttpBytesDecoder {

  /** The longest head: a 4 KiB status line and 16 KiB of headers. */
  static final int MAX_HEAD = 20 * 1024;

  /** What the router adds to a head: its epoch, Content-Length, Connection, the empty line. */
  private static final int ADDED_HEADERS = 128;

  private boolean headRequest;

  // the answer under way
  private int status;
  private boolean http10;
  private long cellLength = -1;
  private boolean transferEncoding;
  private boolean chunked;
  private int connection;
  private String cellEpoch;
  private ByteBuf head;

  /**
   * @param maxBody the largest body accepted
   */
  CellResponseDecoder(int maxBody) {
    super(MAX_HEAD, maxBody);
  }

  /** The next answer is to a HEAD request (no body, whatever its headers say). */
  void expectAnswerTo(boolean head) {
    this.headRequest = head;
  }

  @Override
  void readHead(ChannelHandlerContext ctx, ByteBuf in, int end, List<Object> out) {
    String problem = parseHead(in, end);
    if (problem != null) {
      fail(ctx, in, problem, false);
      return;
    }
    if (status < 200) {
      if (status == 101) {
        fail(ctx, in, "101 Switching Protocols (the router asks for no upgrade)", false);
        return;
      }
      in.readerIndex(end); // an interim answer (100, 103): the final one follows
      resetAnswer();
      skipHead();
      return;
    }
    Framing framing;
    if (headRequest || status == 204 || status == 304) {
      framing = Framing.NONE;
    } else if (transferEncoding) {
      // a transfer coding other than chunked last: the body ends with the connection
      framing = chunked ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
    } else if (cellLength >= 0) {
      if (cellLength > maxBody) {
        fail(ctx, in, "Content-Length " + cellLength + " over " + maxBody + " bytes", true);
        return;
      }
      framing = Framing.FIXED;
    } else {
      framing = Framing.UNTIL_CLOSE;
    }
    int inline =
        framing == Framing.FIXED && cellLength <= CellResponse.INLINE_BODY ? (int) cellLength : 0;
    head = copyKept(ctx.alloc(), in, ADDED_HEADERS + inline);
    in.readerIndex(end);
    startBody(ctx, framing, cellLength, out);
  }

  /** Reads the status line and the headers; the problem, or null. */
  private String parseHead(ByteBuf in, int end) {
    int start = in.readerIndex();
    int lf = in.indexOf(start, end, LF);
    int lineEnd = lineEnd(in, start, lf);
    String problem = parseStatusLine(in, start, lineEnd);
    if (problem != null) {
      return problem;
    }
    keep(start, lineEnd, lf);
    for (int line = lf + 1; ; line = lf + 1) {
      lf = in.indexOf(line, end, LF);
      lineEnd = lineEnd(in, line, lf);
      if (lineEnd == line) {
        return null; // the empty line
      }
      byte first = in.getByte(line);
      if (first == ' ' || first == '\t') {
        return "obsolete line folding";
      }
      int colon = in.indexOf(line, lineEnd, (byte) ':');
      if (colon <= line) {
        return "a header line without a name and colon";
      }
      byte beforeColon = in.getByte(colon - 1);
      if (beforeColon == ' ' || beforeColon == '\t') {
        return "whitespace between a header name and its colon";
      }
      switch (Headers.kindOf(in, line, colon - line)) {
        case KEEP -> keep(line, lineEnd, lf);
        case DROP -> {}
        case CONTENT_LENGTH -> {
          long value = contentLength(in, colon + 1, lineEnd);
          if (value < 0) {
            return "a Content-Length that is not a number (or a list of different ones)";
          }
          if (cellLength >= 0 && cellLength != value) {
            return "two different Content-Length values";
          }
          cellLength = value;
        }
        case TRANSFER_ENCODING -> {
          transferEncoding = true;
          chunked = lastCodingIsChunked(in, colon + 1, lineEnd);
        }
        case CONNECTION -> connection |= connectionOptions(in, colon + 1, lineEnd);
        case CELL_EPOCH -> {
          if (status == 421) {
            int from = skipSpace(in, colon + 1, lineEnd);
            cellEpoch =
                in.toString(from, trimSpace(in, from, lineEnd) - from, StandardCharsets.ISO_8859_1);
          }
          keep(line, lineEnd, lf);
        }
        default -> throw new IllegalStateException();
      }
    }
  }

  private String parseStatusLine(ByteBuf in, int start, int end) {
    // HTTP/1.1 200 OK
    if (end - start < 12 || !Headers.is(in, start, "http/1.") || in.getByte(start + 8) != ' ') {
      return "not an HTTP/1.x status line";
    }
    byte minor = in.getByte(start + 7);
    if (minor != '0' && minor != '1') {
      return "not an HTTP/1.0 or HTTP/1.1 status line";
    }
    http10 = minor == '0';
    int code = 0;
    for (int i = start + 9; i < start + 12; i++) {
      byte digit = in.getByte(i);
      if (digit < '0' || digit > '9') {
        return "no status code";
      }
      code = code * 10 + digit - '0';
    }
    if (code < 100 || (end > start + 12 && in.getByte(start + 12) != ' ')) {
      return "no status code";
    }
    status = code;
    return null;
  }

  @Override
  void complete(ByteBuf body, boolean untilClose, List<Object> out) {
    long length = body.readableBytes();
    if (status == 204) {
      length = -1; // never a Content-Length (RFC 9110, 8.6)
    } else if (headRequest || status == 304) {
      length = cellLength; // what a GET would have had, when the cell said it
    }
    boolean reusable =
        !untilClose && (connection & CLOSE) == 0 && (!http10 || (connection & KEEP_ALIVE) != 0);
    out.add(new CellResponse(status, head, body, length, reusable, cellEpoch));
    head = null;
    headRequest = false;
    resetAnswer();
  }

  private void resetAnswer() {
    status = 0;
    http10 = false;
    cellLength = -1;
    transferEncoding = false;
    chunked = false;
    connection = 0;
    cellEpoch = null;
  }

  @Override
  void failed(ChannelHandlerContext ctx, String problem, boolean tooLarge) {
    ctx.close(); // the exchange in flight fails as a broken connection
  }

  @Override
  void clearMessage() {
    if (head != null) {
      head.release();
      head = null;
    }
  }
}
