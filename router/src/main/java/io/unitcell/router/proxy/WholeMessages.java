package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.unitcell.router.metrics.RouterMetrics;

/**
 * Whole requests from the decoder's parts, more cheaply than Netty's aggregator for the usual small
 * message: a body that arrives in one piece is handed on as it is (no copy, no composite buffer),
 * the headers object is kept. It also answers {@code Expect: 100-continue} and refuses bodies over
 * the limit with the router's 413 (closing the connection, the rest is not read).
 */
final class WholeMessages extends ChannelInboundHandlerAdapter {

  private final int max;
  private final Proxy proxy;
  private HttpMessage head;
  private ByteBuf body;
  private boolean discarding;

  WholeMessages(int max, Proxy proxy) {
    this.max = max;
    this.proxy = proxy;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof FullHttpMessage) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpMessage message) {
      begin(ctx, message);
      return;
    }
    if (!(msg instanceof HttpContent content) || head == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ByteBuf chunk = content.content();
    if (msg instanceof LastHttpContent last) {
      ByteBuf whole;
      if (body == null) {
        whole = chunk; // the usual case: the whole body in one piece, handed on as it is
      } else {
        whole = body;
        body = null;
        whole.writeBytes(chunk);
        last.release();
      }
      if (whole.readableBytes() > max) {
        whole.release();
        tooLarge(ctx);
        return;
      }
      HttpMessage message = head;
      head = null;
      ctx.fireChannelRead(whole(message, whole, last));
      return;
    }
    if (body == null) {
      body = ctx.alloc().buffer(Math.min(max, Math.max(256, chunk.readableBytes() * 2)));
    }
    if (body.readableBytes() + chunk.readableBytes() > max) {
      content.release();
      body.release();
      body = null;
      tooLarge(ctx);
      return;
    }
    body.writeBytes(chunk);
    content.release();
  }

  private void begin(ChannelHandlerContext ctx, HttpMessage message) {
    if (message.decoderResult().isFailure()) {
      FullHttpMessage failed =
          whole(message, Unpooled.EMPTY_BUFFER, LastHttpContent.EMPTY_LAST_CONTENT);
      failed.setDecoderResult(message.decoderResult());
      ctx.fireChannelRead(failed);
      return;
    }
    if (HttpUtil.getContentLength(message, -1L) > max) {
      tooLarge(ctx);
      return;
    }
    if (HttpUtil.is100ContinueExpected(message)) {
      message.headers().remove(HttpHeaderNames.EXPECT);
      ctx.writeAndFlush(Responses.continue100());
    }
    head = message;
  }

  private static FullHttpMessage whole(HttpMessage message, ByteBuf content, LastHttpContent last) {
    HttpRequest request = (HttpRequest) message;
    return new DefaultFullHttpRequest(
        request.protocolVersion(),
        request.method(),
        request.uri(),
        content,
        request.headers(),
        last.trailingHeaders());
  }

  private void tooLarge(ChannelHandlerContext ctx) {
    head = null;
    discarding = true;
    proxy.metrics.rejected(RouterMetrics.NO_CELL, "too_large");
    ctx.writeAndFlush(
            Responses.encode(
                ctx.alloc(),
                Responses.error(
                    413, "request body is larger than " + max + " bytes", 0, null, false),
                false))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (body != null) {
      body.release();
      body = null;
    }
    head = null;
    ctx.fireChannelInactive();
  }
}
